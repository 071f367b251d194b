/**
 * The admission policies of team namespaces as each environment declares them: bound to every team namespace,
 * built from the environment's names, node pools and issuers, and reserving exactly the objects the Team component
 * puts in a team namespace. What they refuse, with which message, is tried on a real API server
 * (test/e2e/tenant-boundaries.test.ts).
 */
import { CRITICAL_ADDONS_ONLY, PLATFORM_OBJECTS, teamAdmissionPolicies } from "../../components/tenancy/admission";
import { RETIRING_TAINT } from "../../components/cluster/node-generations";
import { CLUSTER_ROLES, TEAM_ROLE_BINDINGS } from "../../components/tenancy/roles";
import { ENVIRONMENTS } from "../../config/sections/environment";
import { ISSUERS } from "../../config/sections/services";
import { TEAM_LABEL } from "../../lib/naming";
import { PUBLIC_INGRESS_LABEL } from "../../lib/ingress-classes";
import { readStackConfig, runStack, StackRun } from "../../mock-engine";
import { runsBeforeAll } from "../stack-runs";

const POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const ADMISSION = [
  "team-namespaces-platform-objects",
  "team-namespaces-ingresses",
  "team-namespaces-services",
  "team-namespaces-scheduling",
  "team-namespaces-monitors",
  "team-namespaces-certificates",
];

const runs = runsBeforeAll(ENVIRONMENTS, 120_000);

const policyOf = (run: StackRun, name: string) => run.ofType(POLICY).find((p) => p.inputs.metadata.name === name)!.inputs;
const expressions = (policy: any): string => JSON.stringify([policy.spec.variables, policy.spec.validations]);

describe.each([...ENVIRONMENTS])("%s", (stack) => {
  test("every admission policy is bound to every team namespace, refusing what it does not admit, each refusal with its reason", () => {
    const run = runs[stack];
    const policies = run.ofType(POLICY).map((p) => p.inputs.metadata.name);
    expect(policies).toEqual(expect.arrayContaining(ADMISSION));
    for (const name of ADMISSION) {
      const policy = policyOf(run, name);
      expect(policy.spec.failurePolicy).toBe("Fail");
      for (const validation of policy.spec.validations) {
        expect(validation).toMatchObject({ reason: "Forbidden", message: expect.stringMatching(/: /) });
      }
      const binding = run.ofType(BINDING).find((b) => b.inputs.spec.policyName === name)!;
      expect(binding.inputs.spec).toEqual({
        policyName: name,
        validationActions: ["Deny"],
        matchResources: { namespaceSelector: { matchExpressions: [{ key: TEAM_LABEL, operator: "Exists" }] } },
      });
      expect(binding.dependencies).toContain(run.ofType(POLICY).find((p) => p.inputs.metadata.name === name)!.urn);
    }
  });

  test("hosts are held to Naming.teamDomain of the environment", () => {
    const config = readStackConfig(stack);
    const ingresses = expressions(policyOf(runs[stack], "team-namespaces-ingresses"));
    expect(ingresses).toContain(JSON.stringify(`variables.team + ".${stack}.${config["platform:environment"].domain}"`).slice(1, -1));
  });

  test("no team pod tolerates a taint of the environment's node pools (but those open to teams), CriticalAddonsOnly or a retiring generation's", () => {
    const config = readStackConfig(stack);
    const pools: { taints?: { key: string }[]; openToTeams?: boolean }[] = config["platform:cluster"].nodePools ?? [];
    const platformPools = pools.filter((p) => !p.openToTeams);
    const taints = [CRITICAL_ADDONS_ONLY, RETIRING_TAINT, ...platformPools.flatMap((p) => (p.taints ?? []).map((t) => t.key))];
    const scheduling = policyOf(runs[stack], "team-namespaces-scheduling");
    const platformTaints = scheduling.spec.variables.find((v: any) => v.name === "platformTaints").expression;
    expect(JSON.parse(/in (\[[^\]]*\])/.exec(platformTaints)![1]).sort()).toEqual([...new Set(taints)].sort());
  });

  test("Certificates name only the issuers offered to teams, never the self-signed chain's bootstrap issuer", () => {
    const certManager = readStackConfig(stack)["platform:services"].certManager;
    const offered: string[] = certManager.enabled ? certManager.issuers : [...ISSUERS];
    const certificates = expressions(policyOf(runs[stack], "team-namespaces-certificates"));
    expect(certificates).toContain(JSON.stringify(`variables.issuer.name in ${JSON.stringify(offered).replace(/,/g, ", ")}`).slice(1, -1));
    expect(certificates).not.toContain("selfsigned-bootstrap");
  });
});

test("the platform objects admission reserves are exactly those the Team component puts in a team namespace", () => {
  const run = runs.prod;
  const teamNamespaces = new Set(
    run
      .ofType("kubernetes:core/v1:Namespace")
      .filter((n) => n.inputs.metadata.labels?.[TEAM_LABEL])
      .map((n) => n.inputs.metadata.name),
  );
  const kinds = {
    resourcequotas: "kubernetes:core/v1:ResourceQuota",
    limitranges: "kubernetes:core/v1:LimitRange",
    networkpolicies: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    rolebindings: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  };
  for (const [resource, type] of Object.entries(kinds)) {
    const reserved = PLATFORM_OBJECTS[resource as keyof typeof PLATFORM_OBJECTS];
    const names = run
      .ofType(type)
      .filter((r) => teamNamespaces.has(r.inputs.metadata.namespace))
      .map((r) => r.inputs.metadata.name as string);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect("name" in reserved ? name === reserved.name : name.startsWith(reserved.prefix)).toBe(true);
  }
});

test("a team granted public ingress carries PUBLIC_INGRESS_LABEL on each of its namespaces, and only such a team", async () => {
  const run = await runStack("local", { configure: (c) => (c["platform:teams"][1].publicIngress = true) });
  const labelled = Object.fromEntries(
    run.ofType("kubernetes:core/v1:Namespace").map((n) => [n.inputs.metadata.name, n.inputs.metadata.labels[PUBLIC_INGRESS_LABEL]]),
  );
  expect(labelled).toEqual({ alpha: undefined, beta: "true", "beta-jobs": "true" });
});

test("where the load balancer controller runs, a team's LoadBalancer Service must name its class; on an existing cluster it need not", () => {
  for (const stack of ENVIRONMENTS) {
    const services = expressions(policyOf(runs[stack], "team-namespaces-services"));
    // `expressions` is JSON, where the expression's quotes are escaped.
    const required = services.includes(JSON.stringify('object.spec.?loadBalancerClass.orValue("") == "service.k8s.aws/nlb"').slice(1, -1));
    expect({ stack, required }).toEqual({ stack, required: stack !== "local" });
  }
});

test("prod's and stage's spot pools are open to teams: their pods may choose spot by tolerating its taint", () => {
  for (const stack of ["prod", "stage"] as const) {
    const scheduling = policyOf(runs[stack], "team-namespaces-scheduling");
    const platformTaints = scheduling.spec.variables.find((v: any) => v.name === "platformTaints").expression;
    expect(platformTaints).not.toContain("platform.example.io/spot");
    expect(platformTaints).toContain(CRITICAL_ADDONS_ONLY);
  }
});

test("no team role can create CertificateRequests, whose names admission cannot read (in a CSR)", () => {
  for (const role of Object.values(TEAM_ROLE_BINDINGS)) {
    const certManagerRules = CLUSTER_ROLES[role].filter((rule) =>
      (rule.apiGroups as string[]).some((g) => g === "cert-manager.io" || g === "*"),
    );
    expect(certManagerRules.flatMap((rule) => rule.resources as string[])).toEqual(["certificates"]);
  }
});

test("the admission policies are the same set whatever the context, and each names what it refuses in team namespaces", () => {
  const policies = teamAdmissionPolicies({ environment: "e", domain: "example.com", platformTaintKeys: [], teamIssuers: [] });
  expect(policies.map((p) => p.name)).toEqual(ADMISSION);
  for (const policy of policies) for (const v of policy.validations) expect(v.message.length).toBeGreaterThan(40);
});
