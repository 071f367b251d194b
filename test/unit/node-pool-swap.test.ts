/**
 * A blue/green node pool swap, one reviewed config change per phase: the pool goes blueGreen (adopting its node
 * groups as blue), the control plane moves while blue stays, green comes up and blue is tainted once green's
 * groups exist, then blue is removed. Each phase on e2e (a stateful pool: one node group per AZ) under mocks.
 */
import { expanderPriorities } from "../../components/cluster-autoscaler/values";
import { GENERATION_LABEL, RETIRING_TAINT } from "../../components/cluster/node-generations";
import { NodePoolConfig } from "../../config/sections/cluster";
import { changesBetween } from "../../scripts/upgrade-plan/changes";
import { swapsStillOpen, swapSteps } from "../../scripts/upgrade-plan/pools";
import { violationsOf } from "../config-errors";
import { runStack, StackConfig, StackRun } from "../../mock-engine";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ASG_TAG = "aws:autoscaling/tag:Tag";
const CLUSTER = "aws:eks/cluster:Cluster";
const BLUE = ["node-pools-spot-az0", "node-pools-spot-az1"];
const GREEN = ["node-pools-spot-green-az0", "node-pools-spot-green-az1"];

/** e2e with its one pool (`spot`) under `upgrade`, and the control plane at `minor`. */
function phase(minor: string, upgrade: Record<string, unknown>) {
  return (c: StackConfig) => {
    const cluster = c["platform:cluster"];
    c["platform:cluster"] = { ...cluster, kubernetesVersion: minor, nodePools: [{ ...cluster.nodePools[0], ...upgrade }] };
  };
}
const blueGreen = (generations: Record<string, string>, activeGeneration: string) => ({
  upgradeStrategy: "blueGreen",
  generations,
  activeGeneration,
});
const groups = (run: StackRun, names: string[]) => names.map((name) => run.one(NODE_GROUP, name));
const retiringTaint = (generation: string) => ({ key: RETIRING_TAINT, value: generation, effect: "NO_SCHEDULE" });
const lines = (changes: ReturnType<typeof changesBetween>) => changes.changed.flatMap((c) => c.inputs.map((i) => `${c.name} ${i}`));

describe("blue/green swap of e2e's pool from 1.33 to 1.34", () => {
  let rolling: StackRun, adopted: StackRun, controlPlaneUp: StackRun, swapped: StackRun, removed: StackRun;
  beforeAll(async () => {
    rolling = await runStack("e2e");
    adopted = await runStack("e2e", { configure: phase("1.33", blueGreen({ blue: "1.33" }, "blue")) });
    controlPlaneUp = await runStack("e2e", { configure: phase("1.34", blueGreen({ blue: "1.33" }, "blue")) });
    swapped = await runStack("e2e", { configure: phase("1.34", blueGreen({ blue: "1.33", green: "1.34" }, "green")) });
    removed = await runStack("e2e", { configure: phase("1.34", blueGreen({ green: "1.34" }, "green")) });
  });

  test("going blueGreen adopts the rolling pool's node groups as blue: same resources and names, only a label added", () => {
    const change = changesBetween(rolling, adopted);
    expect(change.removed).toEqual([]);
    expect(change.added.sort()).toEqual(BLUE.map((g) => `${ASG_TAG} ${g}-label/${GENERATION_LABEL}`).sort());
    expect(lines(change).sort()).toEqual(BLUE.map((g) => `${g} labels.${GENERATION_LABEL}: (none) → spot-blue`).sort());
    for (const group of groups(adopted, BLUE)) expect(group.inputs.nodeGroupNamePrefix).toBe(`${group.name.replace("node-pools-", "")}-`);
  });

  test("the control plane moves to 1.34 while blue's node groups stay at 1.33, untouched", () => {
    const change = changesBetween(adopted, controlPlaneUp);
    expect(change.changed.filter((c) => c.type === NODE_GROUP)).toEqual([]);
    expect(controlPlaneUp.ofType(CLUSTER)[0].inputs.version).toBe("1.34");
    for (const group of groups(controlPlaneUp, BLUE)) expect(group.inputs.version).toBe("1.33");
  });

  test("the swap brings green up at 1.34 with the pool's sizes, and taints blue (kept at 1.33, minimum 0)", () => {
    const change = changesBetween(controlPlaneUp, swapped);
    expect(change.removed).toEqual([]);
    expect(change.added).toEqual(expect.arrayContaining(GREEN.map((g) => `${NODE_GROUP} ${g}`)));
    for (const group of groups(swapped, GREEN)) {
      expect(group.inputs).toMatchObject({ version: "1.34", nodeGroupNamePrefix: `${group.name.replace("node-pools-", "")}-`, taints: [] });
      expect(group.inputs.labels[GENERATION_LABEL]).toBe("spot-green");
    }
    // e2e's pool: min 1, desired 2, max 6 over two AZs.
    expect(groups(swapped, GREEN).map((g) => g.inputs.scalingConfig)).toEqual([
      { minSize: 1, desiredSize: 1, maxSize: 3 },
      { minSize: 0, desiredSize: 1, maxSize: 3 },
    ]);
    for (const group of groups(swapped, BLUE)) {
      expect(group.inputs).toMatchObject({ version: "1.33", taints: [retiringTaint("blue")] });
      expect(group.inputs.scalingConfig.minSize).toBe(0);
      // The autoscaler sees the taint on the Auto Scaling group, so it never scales blue up for an untolerating pod.
      expect(swapped.one(ASG_TAG, `${group.name}-taint/${RETIRING_TAINT}`).inputs.tag.value).toBe("blue:NoSchedule");
    }
    // Nothing else of blue changes: its version and launch template stay, so EKS does not roll it.
    expect(lines(change).sort()).toEqual([
      "node-pools-spot-az0 scalingConfig.minSize: 1 → 0",
      expect.stringMatching(/^node-pools-spot-az0 taints: \[\] → \[\{"effect":"NO_SCHEDULE"/),
      expect.stringMatching(/^node-pools-spot-az1 taints: \[\] → \[\{"effect":"NO_SCHEDULE"/),
    ]);
  });

  test("order: control plane, then green's node groups (after the pod network), then blue's taint", () => {
    const cluster = swapped.ofType(CLUSTER)[0].urn;
    const kubeProxy = swapped.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "kube-proxy")!.urn;
    const green = groups(swapped, GREEN);
    const blue = groups(swapped, BLUE).map((g) => g.urn);
    for (const group of green) {
      expect(group.dependencies).toEqual(expect.arrayContaining([cluster, kubeProxy]));
      expect(group.dependencies.filter((urn) => blue.includes(urn))).toEqual([]);
    }
    for (const group of groups(swapped, BLUE)) expect(group.dependencies).toEqual(expect.arrayContaining(green.map((g) => g.urn)));
    // The on-node add-ons and the autoscaler wait for both generations.
    const coredns = swapped.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "coredns")!;
    expect(coredns.dependencies).toEqual(expect.arrayContaining([...green, ...groups(swapped, BLUE)].map((g) => g.urn)));
  });

  test("removing blue deletes exactly its node groups and their tags; green is not touched", () => {
    const change = changesBetween(swapped, removed);
    expect(change.changed).toEqual([]);
    expect(change.added).toEqual([]);
    expect(change.removed.sort()).toEqual(
      BLUE.flatMap((g) => [
        `${NODE_GROUP} ${g}`,
        ...swapped
          .ofType(ASG_TAG)
          .filter((t) => t.name.startsWith(`${g}-`))
          .map((t) => `${ASG_TAG} ${t.name}`),
      ]).sort(),
    );
  });

  test("rolling back a swap is making blue active again: green is tainted and waits for blue", async () => {
    const back = await runStack("e2e", { configure: phase("1.34", blueGreen({ blue: "1.33", green: "1.34" }, "blue")) });
    for (const group of groups(back, BLUE)) expect(group.inputs.taints).toEqual([]);
    for (const group of groups(back, GREEN)) {
      expect(group.inputs.taints).toEqual([retiringTaint("green")]);
      expect(group.dependencies).toEqual(expect.arrayContaining(groups(back, BLUE).map((g) => g.urn)));
    }
  });
});

describe("rolling pools", () => {
  test("follow the control plane, roll within maxUnavailable and never force past a PodDisruptionBudget", async () => {
    const run = await runStack("e2e", { configure: phase("1.34", {}) });
    for (const group of run.ofType(NODE_GROUP)) {
      expect(group.inputs.version).toBe("1.34");
      expect(group.inputs.updateConfig).toEqual({ maxUnavailable: 2 });
      expect(group.inputs.forceUpdateVersion).toBeUndefined();
    }
  });
});

test("the priority expander finds a blue/green spot pool's groups of either generation", () => {
  const autoscaler = { enabled: true, expander: "priority", scaleDownUnneededTime: "10m", scaleDownDelayAfterAdd: "10m" } as const;
  const spot = { name: "spot", capacityType: "SPOT", stateful: true, upgradeStrategy: "blueGreen" } as NodePoolConfig;
  const [pattern] = expanderPriorities(autoscaler, [spot])[50];
  const uuid = "20260314091507123400000001-4ec6b1c2-1111-2222-3333-444455556666";
  for (const group of ["spot-az1", "spot-green-az1"]) expect(new RegExp(pattern).test(`eks-${group}-${uuid}`)).toBe(true);
  for (const group of ["spot-large-az1", "spot-blue-az1"]) expect(new RegExp(pattern).test(`eks-${group}-${uuid}`)).toBe(false);
});

describe("bad swaps are config errors naming the key", () => {
  const error = (minor: string, upgrade: Record<string, unknown>) => violationsOf("e2e", phase(minor, upgrade));

  test("a generation newer than the control plane", async () => {
    expect(await error("1.33", blueGreen({ blue: "1.33", green: "1.34" }, "green"))).toEqual([
      expect.stringMatching(
        /platform:cluster\.nodePools\[0\]\.generations\.green = "1\.34": expected at most "1\.33", cluster\.kubernetesVersion: a kubelet is never newer than its API server/,
      ),
    ]);
  });

  test("a generation two minors behind: the control plane went past an unfinished swap", async () => {
    expect(await error("1.34", blueGreen({ blue: "1.32" }, "blue"))).toEqual([
      expect.stringMatching(
        /nodePools\[0\]\.generations\.blue = "1\.32": expected at least "1\.33", one minor behind cluster\.kubernetesVersion "1\.34": EKS upgrades the control plane only while managed nodes run its current minor, so swap pool "spot"/,
      ),
    ]);
  });

  test("removing the only generation", async () => {
    expect(await error("1.34", blueGreen({}, "green"))).toEqual([
      expect.stringMatching(/nodePools\[0\]\.generations = \{\}: expected at least one generation with its Kubernetes minor/),
    ]);
  });

  test("removing the active generation", async () => {
    expect(await error("1.34", blueGreen({ blue: "1.33" }, "green"))).toEqual([
      expect.stringMatching(
        /nodePools\[0\]\.activeGeneration = "green": expected one of the pool's generations \(blue\): the active generation is where pods run/,
      ),
    ]);
  });

  test("blueGreen without an active generation, generations on a rolling pool, an unknown generation", async () => {
    expect(await error("1.33", { upgradeStrategy: "blueGreen", generations: { blue: "1.33" } })).toEqual([
      expect.stringMatching(/nodePools\[0\]\.activeGeneration = \(not set\): expected the generation pods are scheduled on: blue$/),
    ]);
    expect(await error("1.33", { generations: { blue: "1.33" }, activeGeneration: "blue" })).toEqual([
      expect.stringMatching(/nodePools\[0\]\.generations = .*: expected nothing with upgradeStrategy rolling/),
      expect.stringMatching(/nodePools\[0\]\.activeGeneration = "blue": expected nothing with upgradeStrategy rolling/),
    ]);
    expect(await error("1.33", blueGreen({ red: "1.33" }, "blue"))).toEqual(
      expect.arrayContaining([expect.stringMatching(/nodePools\[0\]\.generations\.red = "1\.33": expected a known key/)]),
    );
  });

  test("a pool named like another pool's green generation", async () => {
    const lines = await violationsOf("e2e", (c) => {
      const pool = c["platform:cluster"].nodePools[0];
      c["platform:cluster"].nodePools = [
        { ...pool, ...blueGreen({ blue: "1.33" }, "blue") },
        { ...pool, name: "spot-green", labels: {} },
      ];
    });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /nodePools\[1\]\.name = "spot-green": expected a name other than "spot-green": blue\/green pool "spot" names its green node groups so/,
      ),
    );
  });
});

describe("upgrade-plan shows each blue/green pool's swap", () => {
  const stackWith = (...pools: Record<string, unknown>[]) => ({ "platform:cluster": { nodePools: [{ name: "system" }, ...pools] } });

  test("a pool at the current minor: swap, drain, remove, with the key paths and the drain's selector", () => {
    const config = stackWith({ name: "general", ...blueGreen({ green: "1.33" }, "green") });
    expect(swapSteps(config, "1.34").join("\n")).toBe(
      [
        "  general: green runs 1.33 and stays there while the control plane moves; then, each a pull request of its own:",
        '    1. platform:cluster.nodePools[1].generations: { green: "1.33", blue: "1.34" }, activeGeneration: blue',
        "       (blue's node groups come up at 1.34, then green's are tainted NoSchedule)",
        "    2. drain green through the PodDisruptionBudgets (its minimum is 0: the cluster autoscaler may remove underused green nodes first):",
        `       kubectl drain --selector ${GENERATION_LABEL}=general-green --ignore-daemonsets --delete-emptydir-data --timeout 30m`,
        '    3. platform:cluster.nodePools[1].generations: { blue: "1.34" }   (green\'s node groups are deleted)',
      ].join("\n"),
    );
    expect(swapsStillOpen(config, "1.34")).toEqual([]);
    expect(swapSteps(stackWith(), "1.34")).toEqual([]);
  });

  test("a swap under way, a finished one, and one the next minor would leave two behind", () => {
    const config = stackWith(
      { name: "a", ...blueGreen({ blue: "1.33", green: "1.34" }, "green") },
      { name: "b", ...blueGreen({ blue: "1.34" }, "blue") },
    );
    expect(swapSteps(config, "1.34")).toEqual([
      "  a: green runs 1.34; blue is retiring:",
      expect.stringContaining("1. drain blue"),
      expect.stringContaining(`--selector ${GENERATION_LABEL}=a-blue`),
      '    2. platform:cluster.nodePools[1].generations: { green: "1.34" }   (blue\'s node groups are deleted)',
      "  b: blue runs 1.34 already",
    ]);
    expect(swapsStillOpen(config, "1.35")).toEqual([
      expect.stringMatching(/^pool a: generation blue runs 1\.33, more than one minor behind 1\.35: finish its swap first/),
    ]);
    // To 1.35, a's unfinished swap comes first: a pool has two generations at most.
    expect(swapSteps(config, "1.35").slice(0, 7)).toEqual([
      "  a: green runs 1.34 and stays there while the control plane moves; then, each a pull request of its own:",
      "    (blue, at 1.33, is still retiring: its swap is finished first)",
      expect.stringContaining("1. drain blue"),
      expect.stringContaining(`--selector ${GENERATION_LABEL}=a-blue`),
      '    2. platform:cluster.nodePools[1].generations: { green: "1.34" }   (blue\'s node groups are deleted)',
      '    3. platform:cluster.nodePools[1].generations: { green: "1.34", blue: "1.35" }, activeGeneration: blue',
      "       (blue's node groups come up at 1.35, then green's are tainted NoSchedule)",
    ]);
  });
});
