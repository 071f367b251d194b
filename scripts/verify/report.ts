/** The verification report: a table per component for people, JSON for machines, failures named in full. */
import type { Finding } from "../../policy/evaluate";
import { Outcome } from "./admit";

export interface ChartResult {
  readonly component: string;
  readonly resource: string;
  readonly chart: string;
  readonly version: string;
  readonly objects: number;
  readonly error?: string;
}

export interface Report {
  readonly stack: string;
  readonly kubernetesVersion: string;
  readonly cluster: "throwaway" | "current-context";
  readonly mirror: string;
  readonly charts: ChartResult[];
  readonly outcomes: Outcome[];
  readonly policyFindings: Finding[];
  readonly failures: string[];
}

interface Row {
  component: string;
  source: string;
  objects: number;
  kinds: Set<string>;
  admitted: number;
  notChecked: number;
  warnings: number;
}

export function failuresOf(
  stack: string,
  charts: readonly ChartResult[],
  outcomes: readonly Outcome[],
  findings: readonly Finding[],
): string[] {
  return [
    ...charts
      .filter((c) => c.error)
      .map((c) => `${stack}: ${c.component}: chart ${c.chart} ${c.version} (${c.resource}) failed to render: ${c.error}`),
    ...outcomes
      .filter((o) => o.status === "rejected")
      .map((o) => `${stack}: ${o.candidate.component}: ${objectName(o)} (${o.candidate.source}) rejected: ${o.detail}`),
    ...findings.filter((f) => f.level === "mandatory").map((f) => `${stack}: policy ${f.policy}: ${f.message} [${f.urn}]`),
  ];
}

export function objectName(o: Outcome): string {
  const { kind, metadata } = o.candidate.object;
  return `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name}`;
}

export function formatReport(report: Report): string {
  const rows = new Map<string, Row>();
  for (const o of report.outcomes) {
    // The platform's own objects are one row per component; a chart's rendered objects one row per chart.
    const source = o.candidate.fromChart ? o.candidate.source : "its own objects";
    const key = `${o.candidate.component}\u0000${source}`;
    const row = rows.get(key) ?? {
      component: o.candidate.component,
      source,
      objects: 0,
      kinds: new Set(),
      admitted: 0,
      notChecked: 0,
      warnings: 0,
    };
    row.objects += 1;
    row.kinds.add(o.candidate.object.kind);
    row.admitted += o.status === "admitted" ? 1 : 0;
    row.notChecked += o.status === "not checked" ? 1 : 0;
    row.warnings += o.warnings.length;
    rows.set(key, row);
  }
  const table = [["component", "declared by", "objects", "kinds", "admitted", "not checked", "warnings"]];
  for (const row of [...rows.values()].sort((a, b) => a.component.localeCompare(b.component) || a.source.localeCompare(b.source))) {
    table.push([
      row.component,
      row.source,
      `${row.objects}`,
      `${row.kinds.size}`,
      `${row.admitted}`,
      `${row.notChecked}`,
      `${row.warnings}`,
    ]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const lines = table.map((r) =>
    r
      .map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));

  const warnings = report.outcomes.flatMap((o) => o.warnings.map((w) => `  ${objectName(o)}: ${w}`));
  const advisories = report.policyFindings.filter((f) => f.level !== "mandatory").map((f) => `  ${f.policy} (${f.level}): ${f.message}`);
  const total = report.outcomes.length;
  const admitted = report.outcomes.filter((o) => o.status === "admitted").length;
  return [
    `verify ${report.stack}: Kubernetes ${report.kubernetesVersion} (${report.cluster}), charts from ${report.mirror}`,
    `charts: ${report.charts.map((c) => `${c.chart} ${c.version}`).join(", ") || "none"}`,
    "",
    ...lines,
    "",
    ...(warnings.length ? ["API server warnings:", ...warnings, ""] : []),
    ...(advisories.length ? ["policy advisories:", ...advisories, ""] : []),
    report.failures.length === 0
      ? `${report.stack}: verified at Kubernetes ${report.kubernetesVersion}: ${admitted} of ${total} objects admitted, no mandatory policy violation`
      : [`${report.stack}: FAILED (${report.failures.length}):`, ...report.failures.map((f) => `  ${f}`)].join("\n"),
  ].join("\n");
}
