/**
 * verify renders what the provider applies: a helm.v4.Chart never applies a chart's hooks (the provider renders
 * with DisableHooks and registers only the release's manifest), a helm.v3.Release runs its install and upgrade
 * hooks as Helm does, and neither applies test hooks. Rendered with the real helm (the toolchain's, or PATH's) from
 * a fixture chart holding an ordinary object, an install hook and a test hook.
 */
import * as path from "path";
import { RecordedResource, StackRun } from "../../mock-engine";
import { inCi } from "../e2e/support/toolchain";
import { collect } from "../../scripts/verify/collect";
import { renderChart } from "../../scripts/verify/helm";
import { missingTools, withTools } from "../../scripts/verify/tools";

const HOOKED_CHART = path.join(__dirname, "..", "fixtures", "charts", "hooked");
const COMPONENT = "urn:pulumi:e2e::k8s-platform::platform:services:Example::example";

/** A recorded run holding the given helm resources under one platform component. */
function runOf(resources: { type: string; name: string; inputs: Record<string, any> }[]): StackRun {
  const component: RecordedResource = {
    type: "platform:services:Example",
    name: "example",
    urn: COMPONENT,
    inputs: {},
    custom: false,
    protect: false,
    retainOnDelete: false,
    dependencies: [],
  };
  const recorded: RecordedResource[] = [
    component,
    ...resources.map((r) => ({
      ...r,
      urn: `${COMPONENT}$${r.type}::${r.name}`,
      parent: COMPONENT,
      custom: true,
      protect: false,
      retainOnDelete: false,
      dependencies: [],
    })),
  ];
  return {
    stack: "e2e",
    resources: recorded,
    outputs: {},
    secretValues: [],
    ofType: (type) => recorded.filter((r) => r.type === type),
    one: (type, name) => recorded.find((r) => r.type === type && r.name === name)!,
    byUrn: (urn) => recorded.find((r) => r.urn === urn)!,
  };
}

const source = { chart: HOOKED_CHART, version: "1.0.0", namespace: "example" };
const declared = collect(
  runOf([
    { type: "kubernetes:helm.sh/v4:Chart", name: "as-chart", inputs: source },
    { type: "kubernetes:helm.sh/v3:Release", name: "as-release", inputs: source },
    { type: "kubernetes:helm.sh/v3:Release", name: "release-without-hooks", inputs: { ...source, disableHooks: true } },
    {
      type: "kubernetes-cert-manager:index:CertManager",
      name: "cert-manager",
      inputs: { installCRDs: true, helmOptions: { ...source, disableHooks: true } },
    },
  ]),
);
const spec = (resource: string) => declared.charts.find((c) => c.resource === resource)!;

test("a Chart's hooks never reach the cluster; a Release's do, unless it disables them", () => {
  expect(declared.charts.map((c) => [c.resource, c.runsHooks])).toEqual([
    ["as-chart", false],
    ["as-release", true],
    ["release-without-hooks", false],
    ["cert-manager", false],
  ]);
});

const env = withTools(process.env);
const helmMissing = missingTools(["helm"], env).length > 0;
if (helmMissing && !inCi())
  console.warn("VERIFY HOOK RENDERING SKIPPED: no helm in .toolchain/bin or on PATH (scripts/toolchain.sh builds it)");

(helmMissing && !inCi() ? describe.skip : describe)("rendered with helm as the provider applies it", () => {
  const capabilities = { kubeVersion: "v1.33.13", apiVersions: [] };
  const rendered = async (resource: string) =>
    (await renderChart(spec(resource), capabilities, env)).map((o) => `${o.kind} ${o.metadata.name}`).sort();

  test("a helm.v4 Chart: the chart's objects only, no hook of any kind", async () => {
    expect(await rendered("as-chart")).toEqual(["ConfigMap as-chart-settings"]);
  });

  test("a helm.v3 Release: its install hook too, not its test hook", async () => {
    expect(await rendered("as-release")).toEqual(["ConfigMap as-release-settings", "Job as-release-migrate"]);
  });

  test("a helm.v3 Release with disableHooks: the chart's objects only", async () => {
    expect(await rendered("release-without-hooks")).toEqual(["ConfigMap release-without-hooks-settings"]);
  });
});
