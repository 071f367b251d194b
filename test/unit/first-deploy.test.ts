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

/**
 * A preview as `pulumi preview --json` reports it: each resource a step, and each chart on a provider the preview
 * knows with the objects the provider renders from it (one stands for them here; the mock engine renders none).
 */
const previewJsonOf = (run: StackRun) => {
  const steps = run.resources.map((r) => ({ op: "create", urn: r.urn, newState: { type: r.type, parent: r.parent } }));
  const rendered = renderedByTheProvider(run).filter((chart) => !onAnUnknownProvider(chart));
  const objects = rendered.map((chart) => ({
    op: "create",
    urn: `${chart.urn.slice(0, chart.urn.lastIndexOf("::"))}$kubernetes:core/v1:ConfigMap::${chart.name}-rendered`,
    newState: { type: "kubernetes:core/v1:ConfigMap", parent: chart.urn },
  }));
  return { steps: [...steps, ...objects], changeSummary: { create: steps.length + objects.length } };
};

let preview: StackRun;
let previewOntoState: StackRun;
let update: StackRun;
beforeAll(async () => {
  preview = await runStack("e2e", { preview: true, emptyState: true });
  previewOntoState = await runStack("e2e", { preview: true });
  update = await runStack("e2e");
}, 300_000);

const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";

test("the preview completes with nothing of AWS known, and every chart waits on the cluster the update creates", () => {
  const charts = renderedByTheProvider(preview);
  expect(charts.map((r) => r.name)).toEqual(
    expect.arrayContaining(["calico-operator", "load-balancer-controller-chart", "monitoring-stack"]),
  );
  expect(charts.filter((r) => !onAnUnknownProvider(r)).map((r) => r.name)).toEqual([]);
  // The cluster's providers have no kubeconfig yet: the cluster's endpoint and certificate come from the update.
  const providers = preview.ofType(KUBERNETES_PROVIDER);
  expect(providers.length).toBeGreaterThan(0);
  expect(providers.filter((p) => typeof p.inputs.kubeconfig === "string").map((p) => p.name)).toEqual([]);
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

test("a preview onto existing state renders every chart: its plan is complete and is applied as saved", () => {
  expect(renderedByTheProvider(previewOntoState).filter(onAnUnknownProvider)).toEqual([]);
  expect(unrenderedAtPreview(previewJsonOf(previewOntoState))).toEqual([]);
});

test("the update registers what the preview showed, every chart on a provider it knows", () => {
  expect(update.ofType(KUBERNETES_PROVIDER).filter((p) => typeof p.inputs.kubeconfig !== "string")).toEqual([]);
  expect(update.resources.map((r) => r.urn).sort()).toEqual(preview.resources.map((r) => r.urn).sort());
  expect(
    renderedByTheProvider(update)
      .filter(onAnUnknownProvider)
      .map((r) => r.name),
  ).toEqual([]);
});
