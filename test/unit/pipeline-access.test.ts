/**
 * The pipeline's identities in each AWS environment's cluster: the deploy role is cluster-admin, the preview role
 * views through AmazonEKSViewPolicy and, through its access entry's group, reads everything but Secrets, and the
 * Secrets a preview reads: those its charts look up while rendering and those the program reads (`Secret.get`). The real-engine suite (test/e2e/pipeline-identities.test.ts) runs the
 * jobs as these identities; this file keeps its emulation of the EKS access policies equal to what is associated.
 */
import { PIPELINE_READERS_GROUP, PIPELINE_SECRET_READS } from "../../components/pipeline-access";
import { CLUSTER_ROLES } from "../../components/tenancy/roles";
import { CHARTS, ChartRef } from "../../lib/versions";
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

  test("of Secrets, they read exactly those a preview reads, by name: what the installed charts look up, and what the program reads", () => {
    const run = runs[stack];
    const chartsInstalled = run.ofType("kubernetes:helm.sh/v4:Chart").map((chart) => String(chart.inputs.chart));
    const lookups = Object.values(CHARTS as Record<string, ChartRef>)
      .filter((pinned) => chartsInstalled.some((chart) => chart.includes(pinned.chart)))
      .flatMap((pinned) => pinned.renderLookups ?? []);
    const reads = run
      .ofType("kubernetes:core/v1:Secret")
      .filter((secret) => secret.read)
      .map((secret) => {
        const [namespace, name] = secret.readId!.split("/");
        return { namespace, name };
      });
    const expected = new Map<string, Set<string>>();
    for (const { namespace, name } of [...lookups, ...reads]) expected.set(namespace, (expected.get(namespace) ?? new Set()).add(name));

    const roles = run
      .ofType("kubernetes:rbac.authorization.k8s.io/v1:Role")
      .filter((r) => r.inputs.metadata.name === PIPELINE_SECRET_READS);
    expect(Object.fromEntries(roles.map((r) => [r.inputs.metadata.namespace, r.inputs.rules]))).toEqual(
      Object.fromEntries(
        [...expected].map(([namespace, names]) => [
          namespace,
          [{ apiGroups: [""], resources: ["secrets"], resourceNames: [...names].sort(), verbs: ["get"] }],
        ]),
      ),
    );
    const bindings = run
      .ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
      .filter((b) => b.inputs.metadata.name === PIPELINE_SECRET_READS);
    expect(bindings.map((b) => [b.inputs.metadata.namespace, b.inputs.subjects.map((s: { name: string }) => s.name)])).toEqual(
      [...expected.keys()].map((namespace) => [namespace, [PIPELINE_READERS_GROUP]]),
    );
  });

  test("where logging runs, a preview reads ECK's public HTTP CA from the cluster (ca-mirror.ts), and nothing else", () => {
    const run = runs[stack];
    const reads = run.resources.filter((r) => r.read && r.type.startsWith("kubernetes:")).map((r) => `${r.type} ${r.readId}`);
    const logs = run.ofType("platform:logging:Logging").length > 0;
    expect(reads).toEqual(logs ? ["kubernetes:core/v1:Secret logging/logging-es-http-certs-public"] : []);
  });
});

test("the real-engine suite emulates exactly the EKS access policies the program associates", () => {
  const associated = new Set(EKS_STACKS.flatMap((stack) => runs[stack].ofType(ASSOCIATION).map((r) => policyName(r.inputs.policyArn))));
  expect(Object.keys(EKS_ACCESS_POLICIES).sort()).toEqual([...associated].sort());
});
