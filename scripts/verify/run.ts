/**
 * One stack's verification: evaluate it as `render` does (mock engine, the stack's real config, charts from
 * the mirror), render every chart with Helm at the cluster's version, put every object in front of the API
 * server in dependency order, and run the policy pack over all of it.
 */
import * as path from "path";
import { assumeEveryEnvironmentRuns } from "../../config/rules-upgrades";
import { CHART_MIRROR_ENV } from "../../lib/chart-mirror";
import { evaluateStack, readStackConfig, StackConfig, StackRun } from "../../mock-engine";
import { Admission, Candidate, Outcome } from "./admit";
import { ChartSpec, collect, KubeObject } from "./collect";
import { isCrd, renderChart } from "./helm";
import { unservedIngresses } from "./awaits";
import { KubeApi } from "./kube";
import { checkPolicies, RenderedChart } from "./policy";
import { ChartResult, failuresOf, Report } from "./report";

export interface VerifyOptions {
  readonly mirror: string;
  readonly kubeconfig: string;
  readonly context?: string;
  /** Where helm and kubectl are found (PATH): the toolchain's, of the pinned versions. */
  readonly env: NodeJS.ProcessEnv;
  /** A throwaway control plane (prerequisites stored) or a user's cluster (dry runs only). */
  readonly cluster: Report["cluster"];
  /**
   * Verify the stack as it would be after an upgrade to this Kubernetes minor (`cluster.kubernetesVersion` set to
   * it: the program then pins that minor's add-on builds and autoscaler), against an API server of that minor.
   */
  readonly kubernetesMinor?: string;
  /** The stack already evaluated so (upgrade-plan's, at `kubernetesMinor`): verified as it is, not evaluated again. */
  readonly run?: StackRun;
  /** Edits what the program declared before it is rendered and admitted (tests inject faults here). */
  readonly edit?: (declared: ReturnType<typeof collect>) => void;
}

export async function verifyStack(stack: string, options: VerifyOptions): Promise<Report> {
  const minor = options.kubernetesMinor;
  const run = options.run ?? (await evaluateAt(stack, minor, options.mirror));
  const declared = collect(run);
  options.edit?.(declared);
  const api = await KubeApi.connect(options.kubeconfig, options.context, options.env);
  try {
    const serverVersion = await api.serverVersion();
    const versionProblem = minorMismatch(stack, minor ?? readStackConfig(stack)["platform:cluster"]?.kubernetesVersion, serverVersion);
    if (versionProblem) return reportOf(run, options, serverVersion, [], [], [], [versionProblem]);

    const admission = new Admission(api, options.cluster === "throwaway");
    const capabilities = () => ({ kubeVersion: serverVersion, apiVersions: api.apiVersions() });
    const platform = declared.objects.map((o): Candidate => ({
      component: o.component,
      source: o.resource,
      object: o.object,
      defaultNamespace: "default",
      awaitedByPulumi: true,
      fromChart: false,
    }));

    const firstPass = await renderAll(declared.charts, capabilities(), options.env);
    const foundations = await admission.foundations([...platform, ...chartCandidates(firstPass)]);
    // Rendered again now that the CRDs are served: charts ask `.Capabilities.APIVersions.Has` for them.
    const rendered = await renderAll(declared.charts, capabilities(), options.env);
    const rest = [...platform, ...chartCandidates(rendered)].filter((c) => c.object.kind !== "Namespace" && !isCrd(c.object));
    const outcomes = [...foundations, ...(await admission.objects(rest))];
    const hangs = await unservedIngresses(api, stack, rest);

    const charts = rendered.map(chartResult);
    const findings = await checkPolicies(
      run,
      rendered.filter((r) => !r.error).map((r) => ({ spec: r.spec, objects: withNamespaces(api, r) })),
    );
    return reportOf(run, options, serverVersion, charts, outcomes, findings, hangs);
  } finally {
    api.close();
  }
}

/** The stack as verify evaluates it: under the mock engine, at the minor verified for, its charts from the mirror. */
export async function evaluateAt(stack: string, minor: string | undefined, mirror: string): Promise<StackRun> {
  const configure = minor
    ? (config: StackConfig) => void (config["platform:cluster"] = { ...config["platform:cluster"], kubernetesVersion: minor })
    : undefined;
  assumeEveryEnvironmentRuns(minor);
  return withMirror(mirror, () => evaluateStack(stack, { configure })).finally(() => assumeEveryEnvironmentRuns(undefined));
}

interface Rendering extends RenderedChart {
  readonly error?: string;
}

async function renderAll(
  charts: readonly ChartSpec[],
  capabilities: Parameters<typeof renderChart>[1],
  env: NodeJS.ProcessEnv,
): Promise<Rendering[]> {
  return Promise.all(
    charts.map(async (spec) => {
      try {
        return { spec, objects: await renderChart(spec, capabilities, env) };
      } catch (error) {
        return { spec, objects: [], error: (error as Error).message };
      }
    }),
  );
}

function chartCandidates(renderings: readonly Rendering[]): Candidate[] {
  return renderings.flatMap(({ spec, objects }) =>
    objects.map((object) => ({
      component: spec.component,
      source: `${spec.resource} (${chartLabel(spec)})`,
      fromChart: true,
      object,
      defaultNamespace: spec.namespace,
      awaitedByPulumi: spec.awaitsObjects,
    })),
  );
}

/** The provider puts a chart's namespaced objects that name no namespace into the chart's namespace. */
function withNamespaces(api: KubeApi, { spec, objects }: RenderedChart): KubeObject[] {
  return objects.map((object) =>
    api.resourceOf(object)?.namespaced && !object.metadata.namespace
      ? { ...object, metadata: { ...object.metadata, namespace: spec.namespace } }
      : object,
  );
}

/** The chart's name, whether the program passes a name, an `oci://` reference or a mirror's archive. */
const chartTitle = (spec: ChartSpec) => path.basename(spec.chart).replace(`-${spec.version}.tgz`, "");
const chartLabel = (spec: ChartSpec) => `${chartTitle(spec)} ${spec.version}`;

function chartResult(r: Rendering): ChartResult {
  return {
    component: r.spec.component,
    resource: r.spec.resource,
    chart: chartTitle(r.spec),
    version: r.spec.version,
    objects: r.objects.length,
    error: r.error,
  };
}

/** The stack's clusters run `cluster.kubernetesVersion` (or the minor verified for); another minor would prove little. */
function minorMismatch(stack: string, wanted: string | undefined, serverVersion: string): string | undefined {
  const served = serverVersion.replace(/^v/, "").split(".").slice(0, 2).join(".");
  if (!wanted || wanted === served) return undefined;
  return `${stack}: platform:cluster.kubernetesVersion is ${wanted}, but the API server is ${serverVersion}: verify needs a control plane of ${wanted} (toolchain/kubernetes pins the minor it builds)`;
}

/** The report, with every secret config value the run was given masked wherever an error message repeats it. */
function reportOf(
  run: StackRun,
  options: VerifyOptions,
  kubernetesVersion: string,
  charts: ChartResult[],
  outcomes: Outcome[],
  policyFindings: Report["policyFindings"],
  extraFailures: string[],
): Report {
  const redact = (text: string) => run.secretValues.reduce((masked, secret) => masked.split(secret).join("[secret]"), text);
  const redacted = outcomes.map((o) => ({ ...o, detail: o.detail && redact(o.detail), warnings: o.warnings.map(redact) }));
  const maskedCharts = charts.map((c) => ({ ...c, error: c.error && redact(c.error) }));
  const failures = [...extraFailures, ...failuresOf(run.stack, maskedCharts, redacted, policyFindings)].map(redact);
  // A repository URL may carry credentials (`https://user:token@…`): the report names the mirror without them.
  const mirror = options.mirror.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
  return {
    stack: run.stack,
    kubernetesVersion,
    cluster: options.cluster,
    mirror,
    charts: maskedCharts,
    outcomes: redacted,
    policyFindings,
    failures,
  };
}

async function withMirror<T>(mirror: string, body: () => Promise<T>): Promise<T> {
  const previous = process.env[CHART_MIRROR_ENV];
  process.env[CHART_MIRROR_ENV] = mirror;
  try {
    return await body();
  } finally {
    if (previous === undefined) delete process.env[CHART_MIRROR_ENV];
    else process.env[CHART_MIRROR_ENV] = previous;
  }
}
