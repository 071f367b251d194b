/**
 * The team network model and the LoadBalancer grant: a team's namespaces reach each other, the VPC's load
 * balancers reach the team, the team reaches DNS, the API server and AWS endpoints and its own allow-list; other
 * teams and instance metadata are denied above anything a team adds; node ports are refused by admission, not
 * by a quota that would also refuse the granted load balancers.
 */
import { TeamConfig, teamNamespaces } from "../../config/sections/tenancy";
import { readStackConfig, runStack, runStacks, StackRun } from "../../mock-engine";

/** The stacks with teams (admin has none). */
const STACKS = ["e2e", "stage", "prod", "local"] as const;
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const QUOTA = "kubernetes:core/v1:ResourceQuota";
const CNP = "kubernetes:policy.networking.k8s.io/v1alpha2:ClusterNetworkPolicy";
const TEAM_KEY = "platform.example.io/team";

let runs: Record<(typeof STACKS)[number], StackRun>;
beforeAll(async () => {
  runs = await runStacks(STACKS);
});

const teams = (stack: string) => readStackConfig(stack)["platform:teams"] as TeamConfig[];
const policyOf = (run: StackRun, namespace: string) =>
  run.ofType(NETPOL).find((r) => r.inputs.metadata.namespace === namespace)!.inputs.spec;

describe.each(STACKS)("%s", (stack) => {
  const vpcCidr: string | undefined = readStackConfig(stack)["platform:network"]?.vpcCidr;
  const calico = readStackConfig(stack)["platform:calico"];
  /** With Calico as the CNI (e2e), load balancers reach pods through node ports only. */
  const overlayPool: string | undefined = calico?.mode === "cni" ? calico.ipPool.cidr : undefined;

  test("each team namespace admits and reaches all of its team's namespaces, by the team label they all carry", () => {
    for (const team of teams(stack)) {
      for (const namespace of teamNamespaces(team)) {
        const spec = policyOf(runs[stack], namespace);
        const sameTeam = { namespaceSelector: { matchLabels: { [TEAM_KEY]: team.name } } };
        expect(spec.ingress).toContainEqual({ from: [sameTeam] });
        expect(spec.egress).toContainEqual({ to: [sameTeam] });
      }
    }
  });

  test("the VPC reaches the team (load balancers), and the team reaches the VPC on 443 (API server, STS and ECR endpoints)", () => {
    const spec = policyOf(runs[stack], teamNamespaces(teams(stack)[0])[0]);
    if (!vpcCidr) {
      expect(JSON.stringify(spec)).not.toMatch(/ipBlock/);
      return;
    }
    const sources = [vpcCidr, ...(overlayPool ? [overlayPool] : [])].map((cidr) => ({ ipBlock: { cidr } }));
    expect(spec.ingress).toContainEqual({ from: sources });
    expect(spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: vpcCidr } }], ports: [{ protocol: "TCP", port: 443 }] });
  });

  test("NodePort Services are refused in every team namespace by a ValidatingAdmissionPolicy, except on a pod overlay", () => {
    const run = runs[stack];
    if (overlayPool) {
      expect(run.ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map((p) => p.name)).not.toContain(
        "tenancy-guardrails-no-node-ports",
      );
      for (const quota of run.ofType(QUOTA)) expect(quota.inputs.spec.hard).not.toHaveProperty("services.nodeports");
      return;
    }
    const policy = run.one(
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
      "tenancy-guardrails-no-node-ports",
    ).inputs;
    expect(policy.spec.validations).toEqual([expect.objectContaining({ expression: "object.spec.type != 'NodePort'" })]);
    const binding = run.one(
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
      "tenancy-guardrails-no-node-ports-binding",
    ).inputs;
    expect(binding.spec).toEqual({
      policyName: policy.metadata.name,
      validationActions: ["Deny"],
      matchResources: { namespaceSelector: { matchExpressions: [{ key: TEAM_KEY, operator: "Exists" }] } },
    });
  });

  test("guardrails above team policies exactly where Calico enforces them", () => {
    const policies = runs[stack].ofType(CNP).map((r) => r.inputs);
    if (stack === "local") {
      expect(policies).toEqual([]);
      return;
    }
    expect(policies.every((p) => p.spec.tier === "Admin")).toBe(true);
    // Created once Calico, whose CRD chart installs their CRD, is.
    const calicoCrds = runs[stack].one("kubernetes:helm.sh/v4:Chart", "calico-crds").urn;
    for (const policy of runs[stack].ofType(CNP)) expect(policy.dependencies).toContain(calicoCrds);
    const metadata = policies.find((p) => p.metadata.name === "team-namespaces-no-instance-metadata")!;
    expect(metadata.spec.egress).toEqual([{ name: "instance-metadata", action: "Deny", to: [{ networks: ["169.254.169.254/32"] }] }]);
    for (const team of teams(stack)) {
      const isolation = policies.find((p) => p.metadata.name === `team-${team.name}-isolation`)!;
      const others = {
        matchExpressions: [
          { key: TEAM_KEY, operator: "Exists" },
          { key: TEAM_KEY, operator: "NotIn", values: [team.name] },
        ],
      };
      expect(isolation.spec.subject).toEqual({ namespaces: { matchLabels: { [TEAM_KEY]: team.name } } });
      expect(isolation.spec.ingress).toEqual([{ name: "from-other-teams", action: "Deny", from: [{ namespaces: others }] }]);
      expect(isolation.spec.egress).toEqual([{ name: "to-other-teams", action: "Deny", to: [{ namespaces: others }] }]);
    }
  });
});

test("a team's allow-list becomes egress rules, never including instance metadata", async () => {
  const run = await runStack("local", {
    configure: (config) => {
      config["platform:teams"][0].egress = [
        { cidr: "0.0.0.0/0", ports: [443] },
        { cidr: "10.20.0.0/16", ports: [5432, 5433] },
      ];
    },
  });
  const spec = policyOf(run, "alpha");
  expect(spec.egress).toContainEqual({
    to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }],
    ports: [{ protocol: "TCP", port: 443 }],
  });
  expect(spec.egress).toContainEqual({
    to: [{ ipBlock: { cidr: "10.20.0.0/16" } }],
    ports: [
      { protocol: "TCP", port: 5432 },
      { protocol: "TCP", port: 5433 },
    ],
  });
});

test("a load balancer grant lifts the node-port limit that would refuse it; without one node ports stay at 0", async () => {
  const run = await runStack("local", { configure: (config) => (config["platform:teams"][0].quota = { loadBalancers: 2 }) });
  const hard = (namespace: string) => run.ofType(QUOTA).find((r) => r.inputs.metadata.namespace === namespace)!.inputs.spec.hard;
  expect(hard("alpha")["services.loadbalancers"]).toBe("2");
  expect(hard("alpha")).not.toHaveProperty("services.nodeports");
  expect(hard("beta")).toMatchObject({ "services.loadbalancers": "0", "services.nodeports": "0" });
});
