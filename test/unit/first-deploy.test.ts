/**
 * e2e's first deploy from empty state, as the pipeline runs it, where the real engine cannot go here: with every
 * output of AWS unknown at the preview. The plan's preview (as the preview role) sees nothing existing: each id and
 * computed output of what the update creates is unknown, the cluster's kubeconfig and the IRSA roles' ARNs
 * included. The program must still complete, and every component the Kubernetes provider renders sits on a
 * provider the update creates, so none can be rendered: the saved plan is incomplete, its summary says so, and
 * `apply` runs the reviewed commit's update without it (docs/delivery.md, "A plan that cannot hold the update").
 * That update then registers what the preview showed, on providers it knows.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { unrenderedAtPreview } from "../../scripts/deploy-plan/completeness";
import { applyPlan, FILES, savePlan } from "../../scripts/deploy-plan/plan";
import { RecordedResource, runStack, StackRun } from "../../mock-engine";
import { COMMIT, exported, fakeDeps, PROJECT, tempDir } from "../deploy-plan-fakes";

const RENDERED_BY_THE_PROVIDER = ["kubernetes:helm.sh/v4:Chart", "kubernetes:yaml/v2:ConfigGroup"];
const renderedByTheProvider = (run: StackRun) => run.resources.filter((r) => RENDERED_BY_THE_PROVIDER.includes(r.type));
const onAnUnknownProvider = (r: RecordedResource) => (r.provider ?? "").endsWith(`::${pulumi.runtime.unknownValue}`);

/** The preview as `pulumi preview --json` reports a first deploy: every resource created, no chart rendered. */
const previewJsonOf = (run: StackRun) => ({
  steps: run.resources.map((r) => ({ op: "create", urn: r.urn, newState: { type: r.type, parent: r.parent } })),
  changeSummary: { create: run.resources.length },
});

let preview: StackRun;
let update: StackRun;
beforeAll(async () => {
  preview = await runStack("e2e", { preview: true, emptyState: true });
  update = await runStack("e2e");
}, 300_000);

test("the preview completes with nothing of AWS known, and every chart waits on the cluster the update creates", () => {
  const charts = renderedByTheProvider(preview);
  expect(charts.map((r) => r.name)).toEqual(
    expect.arrayContaining(["calico-operator", "load-balancer-controller-chart", "monitoring-stack"]),
  );
  expect(charts.filter((r) => !onAnUnknownProvider(r)).map((r) => r.name)).toEqual([]);
  // The cluster itself is known only as its inputs: its endpoint, and so the kubeconfig, come from the update.
  const cluster = preview.one("aws:eks/cluster:Cluster", "cluster-eks");
  expect(cluster.inputs.version).toBeDefined();
});

test("the saved plan names every chart it cannot hold, and approving it runs the commit's update without it", async () => {
  const previewJson = previewJsonOf(preview);
  const charts = renderedByTheProvider(preview).map((r) => r.urn);
  expect(unrenderedAtPreview(previewJson)).toEqual([...charts].sort());

  const dir = tempDir();
  try {
    const { deps, calls } = fakeDeps({ exported: exported([]), head: COMMIT, preview: previewJson });
    const record = await savePlan("e2e", dir, PROJECT, deps);
    expect(record.unrendered).toEqual([...charts].sort());
    const summary = fs.readFileSync(path.join(dir, FILES.summary), "utf8");
    expect(summary).toContain(`**This plan is incomplete.** ${charts.length} component(s) could not be rendered in the preview`);
    calls.length = 0;
    await applyPlan("e2e", dir, "first deploy of e2e", PROJECT, deps);
    const up = calls.find((args) => args[0] === "up")!;
    expect(up).not.toContain("--plan");
    expect(up.slice(0, 3)).toEqual(["up", "--stack", "e2e"]);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test("the update registers what the preview showed, every chart on a provider it knows", () => {
  expect(update.resources.map((r) => r.urn).sort()).toEqual(preview.resources.map((r) => r.urn).sort());
  expect(
    renderedByTheProvider(update)
      .filter(onAnUnknownProvider)
      .map((r) => r.name),
  ).toEqual([]);
});
