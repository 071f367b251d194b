import { runStack, StackRun } from "../../../mock-engine";

let run: StackRun;
// Read from the run cache when the suite runs with test/support/global-setup.ts.
beforeAll(async () => {
  run = await runStack("local");
});

test("local registers no AWS resource and reaches the cluster only through its explicit provider", () => {
  expect(run.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
  const provider = run.one("pulumi:providers:kubernetes", "cluster-provider");
  const k8sObjects = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
  expect(k8sObjects.length).toBeGreaterThan(0);
  for (const object of k8sObjects) expect(object.provider?.startsWith(`${provider.urn}::`)).toBe(true);
});

test("each team namespace gets its baseline", () => {
  const namespaces = run.ofType("kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata.name);
  expect(namespaces.sort()).toEqual(["alpha", "beta", "beta-jobs"]);
  for (const ns of namespaces) {
    const inNs = run.resources.filter((r) => r.inputs.metadata?.namespace === ns);
    expect(inNs.map((r) => r.type).sort()).toEqual(
      expect.arrayContaining([
        "kubernetes:core/v1:ResourceQuota",
        "kubernetes:core/v1:LimitRange",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      ]),
    );
  }
});

test("outputs list the namespaces of each team", () => {
  expect(run.outputs.teamNamespaces).toEqual({ alpha: ["alpha"], beta: ["beta", "beta-jobs"] });
});

test("the cached default run the test files share is the run the program gives now", async () => {
  const { evaluateStack, serializeRun } = await import("../../../mock-engine");
  expect(JSON.parse(serializeRun(await evaluateStack("local")))).toEqual(JSON.parse(serializeRun(run)));
});

test("the provider is replaced only when the cluster changes, not when its kubeconfig is edited", () => {
  expect(run.one("pulumi:providers:kubernetes", "cluster-provider").inputs.clusterIdentifier).toBe("local/current-context");
});
