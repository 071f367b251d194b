/** Chart pins exist in the mirror; the mirror setting redirects every chart; a bad setting stops the run early. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHART_MIRROR_ENV, chartMirror, chartName } from "../../lib/chart-mirror";
import { CHARTS, chartSource } from "../../lib/versions";
import { DEFAULT_MIRROR_DIR, indexedVersions } from "../../scripts/verify/mirror";
import { evaluateStack } from "../../mock-engine";

const HELM_TYPES = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"];

test.each(Object.entries(CHARTS))("the pin of %s is a version the mirror holds", (_key, ref) => {
  const versions = indexedVersions().get(chartName(ref.chart)) ?? [];
  expect(versions).toContain(ref.version);
});

describe("chartSource", () => {
  const operator = CHARTS.tigeraOperator;
  const runner = CHARTS.runnerScaleSet;

  test("upstream by default: the pinned repository, or the OCI reference alone", () => {
    expect(chartSource(operator, chartMirror(""))).toEqual({
      chart: "tigera-operator",
      version: operator.version,
      repositoryOpts: { repo: operator.repo },
    });
    expect(chartSource(runner, chartMirror(undefined))).toEqual({ chart: runner.chart, version: runner.version });
  });

  test("a Helm repository mirror serves every chart by name, OCI ones included", () => {
    const mirror = chartMirror("http://charts.internal:8080/helm/");
    expect(chartSource(runner, mirror)).toEqual({
      chart: "gha-runner-scale-set",
      version: runner.version,
      repositoryOpts: { repo: "http://charts.internal:8080/helm" },
    });
  });

  test("an OCI mirror holds each chart under its name", () => {
    expect(chartSource(operator, chartMirror("oci://registry.internal/charts"))).toEqual({
      chart: "oci://registry.internal/charts/tigera-operator",
      version: operator.version,
    });
  });

  test("a directory mirror gives the archive's path", () => {
    expect(chartSource(runner, chartMirror(DEFAULT_MIRROR_DIR))).toEqual({
      chart: path.join(DEFAULT_MIRROR_DIR, `gha-runner-scale-set-${runner.version}.tgz`),
      version: runner.version,
    });
  });

  test("anything else is refused, naming the setting and what it expects", () => {
    expect(() => chartMirror("ftp://mirror")).toThrow(
      `${CHART_MIRROR_ENV} = "ftp://mirror": expected an http(s):// Helm repository, an oci:// registry or a directory of chart archives`,
    );
    expect(() => chartMirror("/no/such/dir")).toThrow(
      /PLATFORM_CHART_MIRROR = "\/no\/such\/dir": expected an existing directory of chart archives/,
    );
  });
});

describe("a stack run with a mirror", () => {
  const withMirror = async <T>(value: string, body: () => Promise<T>): Promise<T> => {
    process.env[CHART_MIRROR_ENV] = value;
    try {
      return await body();
    } finally {
      delete process.env[CHART_MIRROR_ENV];
    }
  };

  test("takes every chart and release of prod from the mirror's archives", async () => {
    const run = await withMirror(DEFAULT_MIRROR_DIR, () => evaluateStack("prod"));
    const charts = run.resources.filter((r) => HELM_TYPES.includes(r.type)).map((r) => r.inputs);
    const [certManager] = run.ofType("kubernetes-cert-manager:index:CertManager").map((r) => r.inputs.helmOptions);
    expect(charts.length).toBeGreaterThan(5);
    for (const source of [...charts, certManager]) {
      expect(source.chart.startsWith(DEFAULT_MIRROR_DIR + path.sep)).toBe(true);
      expect(fs.existsSync(source.chart)).toBe(true);
    }
    for (const source of charts) expect(source.repositoryOpts).toBeUndefined();
    // cert-manager's package is told "no repository" explicitly, or it would fill in its upstream one.
    expect(certManager).toHaveProperty("repositoryOpts.repo", "");
  });

  test("a directory without the pinned archives stops the run before any resource is registered", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "empty-mirror-"));
    const error = await withMirror(empty, () => evaluateStack("e2e")).catch((e: Error) => e);
    expect(error).toHaveProperty("resourcesRegistered", 0);
    expect((error as Error).message).toMatch(
      new RegExp(
        `Chart mirror for stack "e2e": ${CHART_MIRROR_ENV} is a directory without the pinned archives .*tigera-operator-${CHARTS.tigeraOperator.version}\\.tgz`,
      ),
    );
  });
});
