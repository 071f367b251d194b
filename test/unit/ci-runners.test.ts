/**
 * The hub's runners beyond what hub.test.ts checks: the platform runners' Fargate profile (outside the node pools
 * admin's updates roll), the admission policy of the runners' namespace (whose behaviour on a real API server is
 * test/e2e/ci-boundaries.test.ts), and the config rules of the runners and the registry's push roles.
 */
import { violationsOf } from "../config-errors";
import { readStackConfig, runStack, StackRun } from "../../mock-engine";

const PROFILE = "aws:eks/fargateProfile:FargateProfile";
let hub: StackRun;
beforeAll(async () => {
  hub = await runStack("admin");
}, 120_000);

describe("the platform runners on Fargate", () => {
  const profile = () => hub.one(PROFILE, "ci-runners-fargate-profile");

  test("one profile selects exactly the platform runners' pods: their namespace and their scale set's label", () => {
    expect(hub.ofType(PROFILE)).toHaveLength(1);
    expect(profile().inputs.selectors).toEqual([{ namespace: "ci-runners", labels: { "platform.example.io/runner": "platform" } }]);
    const template = hub.one("kubernetes:helm.sh/v4:Chart", "ci-runners-admin-platform").inputs.values.template;
    expect(template.metadata.labels).toEqual(profile().inputs.selectors[0].labels);
    // No other scale set's pods carry it: they stay on the pools.
    for (const scaleSet of ["admin-ci", "admin-deploy"]) {
      const labels = hub.one("kubernetes:helm.sh/v4:Chart", `ci-runners-${scaleSet}`).inputs.values.template.metadata.labels;
      expect(labels["platform.example.io/runner"]).not.toBe("platform");
    }
  });

  test("is in the private subnets, protected (replacing it deletes its pods), and the scale set waits for it", () => {
    const privateSubnets = hub
      .ofType("aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("private"))
      .map((s) => `${s.name}-id`);
    expect([...profile().inputs.subnetIds].sort()).toEqual(privateSubnets.sort());
    expect(profile().protect).toBe(true);
    expect(profile().inputs.clusterName).toBe(hub.outputs.clusterName);
    const scaleSet = hub.one("kubernetes:helm.sh/v4:Chart", "ci-runners-admin-platform");
    expect(scaleSet.dependencies).toContain(profile().urn);
  });

  test("its pod execution role is Fargate's, for this cluster's profiles only, with ECR pulls and first pulls through the caches", () => {
    const role = hub.one("aws:iam/role:Role", "ci-runners-fargate-pod-execution");
    expect(profile().inputs.podExecutionRoleArn).toMatch(/ci-runners-fargate-pod-execution/);
    expect(role.inputs.permissionsBoundary).toMatch(/^arn:aws:iam::444444444444:policy\//);
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "eks-fargate-pods.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { ArnLike: { "aws:SourceArn": `arn:aws:eks:eu-west-1:444444444444:fargateprofile/${hub.outputs.clusterName}/*` } },
      },
    ]);
    const attached = hub.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("ci-runners-fargate"));
    expect(attached.map((a) => a.inputs.policyArn)).toEqual(["arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy"]);
    const prefixes = readStackConfig("admin")["platform:registries"].pullThroughCache.map((r: { prefix: string }) => r.prefix);
    const [firstPull] = JSON.parse(hub.one("aws:iam/rolePolicy:RolePolicy", "ci-runners-fargate-pull-through").inputs.policy).Statement;
    expect(firstPull.Resource).toEqual(prefixes.map((p: string) => `arn:aws:ecr:eu-west-1:444444444444:repository/${p}/*`));
  });

  test("the platform runners' pod fits Fargate: no privileged container, no host access, requests equal to limits", () => {
    const spec = hub.one("kubernetes:helm.sh/v4:Chart", "ci-runners-admin-platform").inputs.values.template.spec;
    expect(spec.volumes).toBeUndefined();
    expect(spec.hostNetwork).toBeUndefined();
    for (const container of spec.containers) {
      expect(container.securityContext.privileged).toBeUndefined();
      expect(container.resources.requests).toEqual(container.resources.limits);
    }
  });
});

describe("the runners' namespace", () => {
  const policy = () => hub.one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "ci-runners-pod-admission-policy");
  const binding = () =>
    hub.one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", "ci-runners-pod-admission-binding");

  test("is labelled privileged for Pod Security, and bound to the admission policy that holds its pods to baseline", () => {
    const namespace = hub.one("kubernetes:core/v1:Namespace", "ci-runners-namespace").inputs.metadata;
    expect(namespace.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    const binding = hub.one(
      "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
      "ci-runners-pod-admission-binding",
    );
    expect(binding.inputs.spec).toEqual({
      policyName: policy().inputs.metadata.name,
      validationActions: ["Deny"],
      matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ci-runners" } } },
    });
    expect(policy().inputs.spec.failurePolicy).toBe("Fail");
    expect(policy().inputs.spec.matchConstraints.resourceRules[0].resources).toEqual(["pods", "pods/ephemeralcontainers"]);
  });

  test("the scale sets come after the policy, so that no runner pod is created before it holds", () => {
    for (const scaleSet of ["admin-ci", "admin-deploy", "admin-platform"]) {
      expect(hub.one("kubernetes:helm.sh/v4:Chart", `ci-runners-${scaleSet}`).dependencies).toEqual(
        expect.arrayContaining([policy().urn, binding().urn]),
      );
    }
  });

  test("no runner reaches instance metadata, and builds (any repository's, unreviewed) reach no environment: only the other runners reach the spokes", () => {
    const spokes: string[] = readStackConfig("admin")["platform:admin"].spokes.map((spoke: { vpcCidr: string }) => spoke.vpcCidr);
    const policies = hub
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .filter((p) => p.inputs.metadata.namespace === "ci-runners");
    const specOf = (name: string) => policies.find((p) => p.inputs.metadata.name === name)!.inputs.spec;
    expect(specOf("no-instance-metadata")).toMatchObject({
      podSelector: {},
      egress: [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32", ...spokes] } }] }],
    });
    expect(specOf("deploys-reach-the-environments")).toEqual({
      podSelector: { matchExpressions: [{ key: "platform.example.io/runner", operator: "NotIn", values: ["build"] }] },
      policyTypes: ["Egress"],
      egress: [{ to: spokes.map((cidr) => ({ ipBlock: { cidr } })) }],
    });
    expect(policies.map((p) => p.inputs.metadata.name).sort()).toEqual(["deploys-reach-the-environments", "no-instance-metadata"]);
  });

  test("the unconfined exception names the BuildKit container and every label of the build pool", () => {
    const pool = readStackConfig("admin")["platform:cluster"].nodePools.find((p: { name: string }) => p.name === "ci");
    const exception = policy().inputs.spec.validations.at(-1).expression as string;
    expect(exception).toContain("c.name == 'buildkitd'");
    for (const [key, value] of Object.entries(pool.labels)) expect(exception).toContain(`object.spec.nodeSelector['${key}'] == '${value}'`);
  });
});

describe("config rules", () => {
  const withRunners = (edit: (runners: any, config: Record<string, any>) => void) => (c: Record<string, any>) =>
    edit(c["platform:admin"].ciRunners, c);

  test("the build runners need a runner group", async () => {
    expect(
      await violationsOf(
        "admin",
        withRunners((r) => delete r.build.runnerGroup),
      ),
    ).toEqual([expect.stringMatching(/^ {2}platform:admin\.ciRunners\.build\.runnerGroup = \(not set\): expected/)]);
  });

  test("the platform runners' group is theirs alone", async () => {
    expect(
      await violationsOf(
        "admin",
        withRunners((r) => (r.build.runnerGroup = "platform-delivery")),
      ),
    ).toEqual([
      `  platform:admin.ciRunners.platform.runnerGroup = (not set): expected a runner group of its own (admin.ciRunners.build.runnerGroup is "platform-delivery" too): every repository allowed there could take the platform's deploy jobs`,
    ]);
  });

  test("every hub repository has its pushers, and pushers name hub repositories", async () => {
    const lines = await violationsOf(
      "admin",
      withRunners((r) => {
        delete r.build.pushFrom["data/etl"];
        r.build.pushFrom["data/other"] = ["example@1000001/data-other@2000302"];
      }),
    );
    expect(lines).toEqual([
      `  platform:admin.ciRunners.build.pushFrom["data/other"] = ["example@1000001/data-other@2000302"]: expected a repository of registries.repositories (payments/api, payments/worker, search/indexer, data/etl)`,
      `  platform:registries.repositories[3] = "data/etl": expected a repository with its pushers in admin.ciRunners.build.pushFrom["data/etl"]: the GitHub repositories whose build jobs push "data/etl"`,
    ]);
  });

  test("two repositories whose push roles would share a name", async () => {
    const lines = await violationsOf("admin", (c) => {
      c["platform:registries"].repositories.push("payments-api");
      c["platform:admin"].ciRunners.build.pushFrom["payments-api"] = ["example@1000001/payments-api@2000101"];
    });
    expect(lines).toEqual([
      `  platform:registries.repositories[4] = "payments-api": expected a name whose push role is not also "payments/api"'s (admin-push-payments-api)`,
    ]);
  });

  test("the platform runners are sized as Fargate runs them", async () => {
    const lines = await violationsOf(
      "admin",
      withRunners((r) => (r.platform = { resources: { requests: { cpu: "3", memory: "2Gi" }, limits: { cpu: "3", memory: "4Gi" } } })),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:admin\.ciRunners\.platform\.resources\.requests\.memory = "2Gi": expected limits\.memory \(4Gi\): the platform runners run on Fargate/,
      ),
      `  platform:admin.ciRunners.platform.resources.requests.cpu = "3": expected one of Fargate's vCPU sizes (0.25, 0.5, 1, 2, 4, 8, 16)`,
    ]);
  });
});
