/**
 * A Kubernetes upgrade is one line, `platform:cluster.kubernetesVersion` one minor up, applied in the order the
 * program's dependencies give the engine: control plane, the add-ons nodes need, node groups (rolled by EKS
 * within `maxUnavailable` and the PodDisruptionBudgets), the add-ons on nodes, then the autoscaler of that minor.
 * And it is rehearsed: prod only at a minor stage runs, stage only at one e2e runs.
 */
import { IMAGES, EKS_ADDONS } from "../../lib/versions";
import { changesBetween } from "../../scripts/upgrade-plan/changes";
import { violationsOf } from "../config-errors";
import { readStackConfig, runStack, StackConfig, StackRun } from "../../mock-engine";

const CLUSTER = "aws:eks/cluster:Cluster";
const ADDON = "aws:eks/addon:Addon";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const TARGET = "1.34";
const upgrade = (c: StackConfig) => void (c["platform:cluster"] = { ...c["platform:cluster"], kubernetesVersion: TARGET });
const addon = (run: StackRun, name: string) => run.ofType(ADDON).find((a) => a.inputs.addonName === name);

// e2e rehearses (Calico as the CNI); admin has the VPC CNI. Neither waits for another environment.
describe.each(["e2e", "admin"])("%s one minor up", (stack) => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack(stack, { configure: upgrade });
  });

  test("the one line moves the control plane, every node group, the add-on builds and the autoscaler image", () => {
    expect(run.ofType(CLUSTER)[0].inputs.version).toBe(TARGET);
    for (const group of run.ofType(NODE_GROUP)) expect(group.inputs.version).toBe(TARGET);
    for (const a of run.ofType(ADDON))
      expect(a.inputs.addonVersion).toBe(EKS_ADDONS[TARGET][a.inputs.addonName as keyof (typeof EKS_ADDONS)[string]]);
    const autoscaler = run.one("kubernetes:helm.sh/v4:Chart", "cluster-autoscaler-chart").inputs.values.image.tag;
    expect(autoscaler).toBe(IMAGES.clusterAutoscaler.tagByKubernetesMinor[TARGET]);
  });

  test("node groups wait for the control plane and the add-ons nodes need; on-node add-ons and the autoscaler wait for the node groups", () => {
    const cluster = run.ofType(CLUSTER)[0].urn;
    const groups = run.ofType(NODE_GROUP).map((g) => g.urn);
    const nodePrerequisites = [addon(run, "kube-proxy")!, ...(stack === "admin" ? [addon(run, "vpc-cni")!] : [])].map((a) => a.urn);
    for (const group of run.ofType(NODE_GROUP)) expect(group.dependencies).toEqual(expect.arrayContaining([cluster, ...nodePrerequisites]));
    for (const name of ["coredns", "aws-ebs-csi-driver"]) expect(addon(run, name)!.dependencies).toEqual(expect.arrayContaining(groups));
    // The autoscaler goes in through the provider that waits for nodes and the on-node add-ons.
    const chart = run.one("kubernetes:helm.sh/v4:Chart", "cluster-autoscaler-chart");
    const provider = run.byUrn(chart.provider!.split("::").slice(0, -1).join("::"));
    expect(provider.dependencies).toEqual(expect.arrayContaining([...groups, addon(run, "coredns")!.urn]));
  });

  test("the upgrade plan lists exactly what changes, down to the changed values", async () => {
    const { changed, added, removed } = changesBetween(await runStack(stack), run);
    expect([added, removed]).toEqual([[], []]);
    const lines = changed.flatMap((c) => c.inputs.map((i) => `${c.type} ${c.name} ${i}`));
    expect(lines).toContainEqual(`aws:eks/cluster:Cluster cluster-eks version: 1.33 → ${TARGET}`);
    expect(lines).toContainEqual(
      `kubernetes:helm.sh/v4:Chart cluster-autoscaler-chart values.image.tag: ${IMAGES.clusterAutoscaler.tagByKubernetesMinor["1.33"]} → ${IMAGES.clusterAutoscaler.tagByKubernetesMinor[TARGET]}`,
    );
    expect(new Set(changed.map((c) => c.type))).toEqual(new Set([CLUSTER, ADDON, NODE_GROUP, "kubernetes:helm.sh/v4:Chart"]));
  });

  test("node groups roll a bounded number of nodes at a time", () => {
    for (const group of run.ofType(NODE_GROUP)) expect(group.inputs.updateConfig.maxUnavailable).toBeGreaterThanOrEqual(1);
  });
});

describe("upgrades are rehearsed: e2e, then stage, then prod", () => {
  test("prod cannot go to a minor stage does not run", async () => {
    expect(readStackConfig("stage")["platform:cluster"].kubernetesVersion).not.toBe(TARGET);
    const lines = await violationsOf("prod", upgrade);
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:cluster\.kubernetesVersion = "1\.34": expected at most "1\.33", the minor stage runs \(Pulumi\.stage\.yaml\): upgrade stage to 1\.34 first/,
      ),
    ]);
  });

  test("stage cannot go to a minor e2e does not run", async () => {
    const lines = await violationsOf("stage", upgrade);
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:cluster\.kubernetesVersion = "1\.34": expected at most "1\.33", the minor e2e runs \(Pulumi\.e2e\.yaml\)/,
      ),
    ]);
  });
});
