/**
 * The pipeline's identities in each AWS environment's cluster: the deploy role is cluster-admin, the preview role
 * views through AmazonEKSViewPolicy and, through its access entry's group, reads everything but Secrets and the
 * Secrets its charts look up while rendering. The real-engine suite (test/e2e/pipeline-identities.test.ts) runs the
 * jobs as these identities; this file keeps its emulation of the EKS access policies equal to what is associated.
 */
import { PIPELINE_READERS_GROUP } from "../../components/pipeline-access";
import { CLUSTER_ROLES } from "../../components/tenancy/roles";
import { CHARTS } from "../../lib/versions";
import { EKS_ACCESS_POLICIES } from "../e2e/support/eks-access";
import { EKS_STACKS, readStackConfig, runStacks, StackRun } from "../../mock-engine";

let runs: Record<(typeof EKS_STACKS)[number], StackRun>;

beforeAll(async () => {
  runs = await runStacks(EKS_STACKS);
});

const ENTRY = "aws:eks/accessEntry:AccessEntry";
const ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const policyName = (arn: string) => arn.split("/").pop()!;

function accessOf(run: StackRun, principalArn: string) {
  const entries = run.ofType(ENTRY).filter((r) => r.inputs.principalArn === principalArn);
  const associations = run.ofType(ASSOCIATION).filter((r) => r.inputs.principalArn === principalArn);
  return {
    groups: entries.flatMap((r) => r.inputs.kubernetesGroups ?? []),
    policies: associations.map((r) => ({ policy: policyName(r.inputs.policyArn), scope: r.inputs.accessScope.type })),
  };
}

const awsConfig = (run: StackRun) => readStackConfig(run.stack)["platform:aws"] as { deployRoleArn: string; previewRoleArn: string };

describe.each(EKS_STACKS)("%s: the pipeline's identities in its cluster", (stack) => {
  test("the deploy role is cluster-admin through AmazonEKSClusterAdminPolicy, and in no group", () => {
    const run = runs[stack];
    expect(accessOf(run, awsConfig(run).deployRoleArn)).toEqual({
      groups: [],
      policies: [{ policy: "AmazonEKSClusterAdminPolicy", scope: "cluster" }],
    });
  });

  test("the preview role views through AmazonEKSViewPolicy and is one of the pipeline readers", () => {
    const run = runs[stack];
    expect(accessOf(run, awsConfig(run).previewRoleArn)).toEqual({
      groups: [PIPELINE_READERS_GROUP],
      policies: [{ policy: "AmazonEKSViewPolicy", scope: "cluster" }],
    });
  });

  test("the pipeline readers read everything but Secrets: bound to the auditor role, which grants no Secret", () => {
    const bindings = runs[stack].ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
    const readers = bindings.filter((b) => b.inputs.subjects.some((s: { name: string }) => s.name === PIPELINE_READERS_GROUP));
    expect(readers.map((b) => b.inputs.roleRef)).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "auditor" }]);
    const readsSecrets = CLUSTER_ROLES.auditor.some(
      (rule) => (rule.apiGroups as string[] | undefined)?.includes("") && (rule.resources as string[]).some((r) => /^secrets|^\*/.test(r)),
    );
    expect(readsSecrets).toBe(false);
  });

  test("of Secrets, they read exactly what the installed charts look up while rendering, by name", () => {
    const run = runs[stack];
    const roles = run
      .ofType("kubernetes:rbac.authorization.k8s.io/v1:Role")
      .filter((r) => r.inputs.metadata.name === "pipeline-render-lookups");
    const installsLoadBalancerController = run
      .ofType("kubernetes:helm.sh/v4:Chart")
      .some((chart) => String(chart.inputs.chart).includes(CHARTS.awsLoadBalancerController.chart));
    const expected = installsLoadBalancerController
      ? [
          {
            namespace: "kube-system",
            rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["aws-load-balancer-tls"], verbs: ["get"] }],
          },
        ]
      : [];
    expect(roles.map((r) => ({ namespace: r.inputs.metadata.namespace, rules: r.inputs.rules }))).toEqual(expected);
    const bindings = run
      .ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
      .filter((b) => b.inputs.metadata.name === "pipeline-render-lookups");
    expect(bindings.map((b) => b.inputs.subjects.map((s: { name: string }) => s.name))).toEqual(
      expected.map(() => [PIPELINE_READERS_GROUP]),
    );
  });
});

test("the real-engine suite emulates exactly the EKS access policies the program associates", () => {
  const associated = new Set(EKS_STACKS.flatMap((stack) => runs[stack].ofType(ASSOCIATION).map((r) => policyName(r.inputs.policyArn))));
  expect(Object.keys(EKS_ACCESS_POLICIES).sort()).toEqual([...associated].sort());
});
