/**
 * Where Helm charts come from. By default each chart's upstream repository (or OCI registry) as pinned in
 * lib/versions.ts; with `PLATFORM_CHART_MIRROR` set, every Chart and Release (OCI ones included) comes from
 * one mirror instead, so that an air-gapped organisation (and `npm run verify`) needs no upstream access:
 *
 * - an `http(s)://` URL: a classic Helm repository (`index.yaml` + archives) holding the same chart names;
 * - an `oci://` URL: a registry the charts were pushed to (`helm push`), as `<url>/<chart>`;
 * - a directory: the archives themselves, named as `helm package` names them, `<chart>-<version>.tgz`.
 */
import * as fs from "fs";
import * as path from "path";

export const CHART_MIRROR_ENV = "PLATFORM_CHART_MIRROR";

export type ChartMirror =
  | { readonly kind: "upstream" }
  | { readonly kind: "repository"; readonly url: string }
  | { readonly kind: "oci"; readonly url: string }
  | { readonly kind: "directory"; readonly dir: string };

export class ChartMirrorError extends Error {
  constructor(value: string, expected: string) {
    super(`${CHART_MIRROR_ENV} = "${value}": expected ${expected}; nothing was deployed`);
    this.name = "ChartMirrorError";
  }
}

/** Parses the mirror setting (the environment variable unless given); an unusable value is an error. */
export function chartMirror(value: string | undefined = process.env[CHART_MIRROR_ENV]): ChartMirror {
  const setting = value?.trim();
  if (!setting) return { kind: "upstream" };
  if (/^https?:\/\/[^/\s]+/.test(setting)) return { kind: "repository", url: setting.replace(/\/+$/, "") };
  if (/^oci:\/\/[^/\s]+/.test(setting)) return { kind: "oci", url: setting.replace(/\/+$/, "") };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(setting)) {
    throw new ChartMirrorError(setting, "an http(s):// Helm repository, an oci:// registry or a directory of chart archives");
  }
  const dir = path.resolve(setting);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ChartMirrorError(setting, "an existing directory of chart archives (or an http(s):// or oci:// URL)");
  }
  return { kind: "directory", dir };
}

/** The chart's own name: the last path segment of an `oci://` reference, else the name as given. */
export function chartName(chart: string): string {
  return chart.startsWith("oci://") ? chart.slice(chart.lastIndexOf("/") + 1) : chart;
}

/** The archive a directory mirror must hold for a chart version. */
export function archivePath(dir: string, chart: string, version: string): string {
  return path.join(dir, `${chartName(chart)}-${version}.tgz`);
}

/** Every pinned chart a directory mirror lacks (empty for the other kinds, which are only asked at deploy). */
export function missingArchives(mirror: ChartMirror, charts: readonly { chart: string; version: string }[]): string[] {
  if (mirror.kind !== "directory") return [];
  return charts.map((c) => archivePath(mirror.dir, c.chart, c.version)).filter((file) => !fs.existsSync(file));
}
