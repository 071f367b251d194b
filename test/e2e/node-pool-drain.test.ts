/**
 * The drain step of a blue/green swap, for real: nodes labelled and tainted as the program configures the two
 * generations' node groups mid-swap, a workload with a PodDisruptionBudget, and the exact `kubectl drain` that
 * `npm run upgrade-plan` prints, against a real API server whose disruption controller keeps the budget's status.
 * The drain takes only the retiring generation's nodes, waits rather than break the budget, and moves the pod once
 * the budget allows it. (The nodes are API objects without kubelets: nothing reschedules, which is not the point.)
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { swapSteps } from "../../scripts/upgrade-plan/pools";
import { runStack, StackConfig } from "../../mock-engine";
import { findToolchain, inCi, PROJECT_DIR } from "./support/toolchain";

const MINUTE = 60_000;
const CONTROL_PLANE = path.join(PROJECT_DIR, "scripts", "control-plane.sh");
// The defaults' namespace and service-account controllers, plus the disruption controller that computes what a
// budget allows (the API server's eviction check reads its status).
const CONTROLLERS = "namespace-controller,serviceaccount-controller,serviceaccount-token-controller,disruption-controller";
const EFFECTS: Record<string, string> = { NO_SCHEDULE: "NoSchedule", PREFER_NO_SCHEDULE: "PreferNoSchedule", NO_EXECUTE: "NoExecute" };

const toolchain = findToolchain();
const runSuite = toolchain.ok || inCi();
if (!toolchain.ok && !inCi())
  console.warn(`NODE POOL DRAIN E2E SKIPPED: run scripts/toolchain.sh first. Missing: ${toolchain.missing.join("; ")}`);

const blueGreen = { upgradeStrategy: "blueGreen", generations: { blue: "1.33", green: "1.34" }, activeGeneration: "green" };
const swapped = (c: StackConfig) => {
  const cluster = c["platform:cluster"];
  c["platform:cluster"] = { ...cluster, kubernetesVersion: "1.34", nodePools: [{ ...cluster.nodePools[0], ...blueGreen }] };
};

(runSuite ? describe : describe.skip)("draining the retiring generation of a blue/green pool", () => {
  let dir: string;
  let kubectl: (args: string[], input?: string) => { code: number; out: string };
  let drain: string[];

  beforeAll(async () => {
    if (!toolchain.ok) throw new Error(`CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")})`);
    const env = toolchain.env;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "node-pool-drain-"));
    const kubeconfig = execFileSync("bash", [CONTROL_PLANE, "start", dir], {
      encoding: "utf8",
      env: { ...env, CP_CONTROLLERS: CONTROLLERS },
    }).trim();
    kubectl = (args, input) => {
      const result = spawnSync("kubectl", [`--kubeconfig=${kubeconfig}`, ...args], { encoding: "utf8", env, input });
      return { code: result.status ?? 1, out: `${result.stdout}${result.stderr}` };
    };

    // A node per node group of e2e's pool mid-swap (blue retiring, green active), as EKS labels and taints them.
    const run = await runStack("e2e", { configure: swapped });
    const nodes = run.ofType("aws:eks/nodeGroup:NodeGroup").map((group) => ({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: group.inputs.nodeGroupNamePrefix.replace(/-$/, ""), labels: group.inputs.labels },
      spec: {
        taints: group.inputs.taints.map((t: { key: string; value: string; effect: string }) => ({ ...t, effect: EFFECTS[t.effect] })),
      },
    }));
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(["spot-az0", "spot-az1", "spot-green-az0", "spot-green-az1"]);
    apply(nodes);
    const set = (kind: string, name: string, labels: Record<string, string>) => ({
      apiVersion: "apps/v1",
      kind,
      metadata: { name, namespace: "default" },
      spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "registry.example/app" }] } },
      },
    });
    apply([set("ReplicaSet", "web", { app: "web" }), set("DaemonSet", "agent", { app: "agent" })]);
    const uid = (kind: string, name: string) => kubectl(["get", kind, name, "-n", "default", "-o", "jsonpath={.metadata.uid}"]).out;
    const pod = (name: string, node: string, owner: [string, string]) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: "default",
        labels: { app: owner[1] },
        ownerReferences: [{ apiVersion: "apps/v1", kind: owner[0], name: owner[1], uid: uid(owner[0], owner[1]), controller: true }],
      },
      // Without a kubelet nothing would finish a graceful deletion: an evicted pod goes at once.
      spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "registry.example/app" }] },
    });
    apply([
      pod("web-blue", "spot-az0", ["ReplicaSet", "web"]),
      pod("web-green", "spot-green-az1", ["ReplicaSet", "web"]),
      pod("agent-blue", "spot-az0", ["DaemonSet", "agent"]),
    ]);
    for (const name of ["web-blue", "web-green"]) {
      const ready = { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } };
      expect(
        kubectl(["patch", "pod", name, "-n", "default", "--subresource=status", "--type=merge", "-p", JSON.stringify(ready)]).code,
      ).toBe(0);
    }

    const step = swapSteps(
      { "platform:cluster": { nodePools: [{ name: "spot", ...blueGreen, generations: { blue: "1.33" }, activeGeneration: "blue" }] } },
      "1.34",
    );
    drain = step
      .find((line) => line.trim().startsWith("kubectl drain"))!
      .trim()
      .split(/\s+/)
      .slice(1);
  }, 5 * MINUTE);

  afterAll(() => {
    if (!dir) return;
    execFileSync("bash", [CONTROL_PLANE, "stop", dir], { env: toolchain.ok ? toolchain.env : process.env });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function apply(objects: object[]): void {
    const result = kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    if (result.code !== 0) throw new Error(result.out);
  }

  /** The budget as the disruption controller last computed it for its current spec. */
  async function budgetAllows(minAvailable: number): Promise<number> {
    apply([
      {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "web", namespace: "default" },
        spec: { minAvailable, selector: { matchLabels: { app: "web" } } },
      },
    ]);
    for (let attempt = 0; attempt < 60; attempt++) {
      const pdb = JSON.parse(kubectl(["get", "pdb", "web", "-n", "default", "-o", "json"]).out);
      if (pdb.status?.observedGeneration === pdb.metadata.generation) return pdb.status.disruptionsAllowed;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error("the disruption controller never observed the budget");
  }

  const podsOn = () =>
    kubectl(["get", "pods", "-n", "default", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName} {end}"])
      .out.trim()
      .split(" ")
      .sort();
  const cordoned = () =>
    kubectl(["get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.unschedulable} {end}"]).out.trim().split(" ").sort();
  // The printed command, with a timeout a test can wait for.
  const withTimeout = (timeout: string) => drain.map((arg, i) => (drain[i - 1] === "--timeout" ? timeout : arg));

  test(
    "the printed command selects blue's nodes only, and waits instead of breaking the budget",
    async () => {
      expect(drain).toEqual(
        expect.arrayContaining([
          "drain",
          "--selector",
          "platform.example.io/node-generation=spot-blue",
          "--ignore-daemonsets",
          "--timeout",
          "30m",
        ]),
      );
      expect(await budgetAllows(2)).toBe(0);
      const refused = kubectl(withTimeout("8s"));
      expect(refused.code).not.toBe(0);
      expect(refused.out).toMatch(/Cannot evict pod as it would violate the pod's disruption budget/);
      expect(podsOn()).toEqual(["agent-blue=spot-az0", "web-blue=spot-az0", "web-green=spot-green-az1"]);
      expect(cordoned()).toEqual(["spot-az0=true", "spot-az1=true", "spot-green-az0=", "spot-green-az1="]);
    },
    2 * MINUTE,
  );

  test(
    "once the budget allows it, the pod leaves blue; green's pod and the DaemonSet's stay",
    async () => {
      expect(await budgetAllows(1)).toBe(1);
      const drained = kubectl(withTimeout("60s"));
      expect(drained.out).toMatch(/pod\/web-blue evicted/);
      expect(drained.code).toBe(0);
      expect(podsOn()).toEqual(["agent-blue=spot-az0", "web-green=spot-green-az1"]);
    },
    2 * MINUTE,
  );
});
