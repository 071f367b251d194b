/** The verification report: a table per component for people, JSON for machines, failures named in full. */
import type { Finding } from "../../policy/evaluate";
import { Outcome } from "./admit";
import { addonTable, ImageCheck, imageSummary, imageTable, uncheckedCount } from "./images-report";

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
  /** With `--images`: every image and EKS add-on build the stack runs, resolved or why not (images-check.ts). */
  readonly images?: ImageCheck;
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

/** One row per component and source: a component's own objects on one row, each chart's rendered objects on another. */
function tableOf(report: Report): string[][] {
  const rows = new Map<string, Row>();
  for (const o of report.outcomes) {
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
  return table;
}

const serverWarnings = (report: Report) => report.outcomes.flatMap((o) => o.warnings.map((w) => `${objectName(o)}: ${w}`));
const advisories = (report: Report) =>
  report.policyFindings.filter((f) => f.level !== "mandatory").map((f) => `${f.policy} (${f.level}): ${f.message}`);
const chartSource = (report: Report) => report.mirror || "their upstream repositories";

function verdict(report: Report): string {
  const admitted = report.outcomes.filter((o) => o.status === "admitted").length;
  return report.failures.length === 0
    ? `${report.stack}: verified at Kubernetes ${report.kubernetesVersion}: ${admitted} of ${report.outcomes.length} objects admitted, no mandatory policy violation` +
        (report.images ? `; ${imageSummary(report.images)}` : "")
    : `${report.stack}: FAILED (${report.failures.length}):`;
}

/** Columns from `numericFrom` on are right-aligned. */
function textTable(table: string[][], numericFrom = table[0].length): string[] {
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const lines = table.map((r) =>
    r
      .map((cell, i) => (i >= numericFrom ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines;
}

export function formatReport(report: Report): string {
  const warnings = serverWarnings(report);
  const advised = advisories(report);
  const images = report.images ? [...textTable(imageTable(report.images)), "", ...textTable(addonTable(report.images)), ""] : [];
  return [
    `verify ${report.stack}: Kubernetes ${report.kubernetesVersion} (${report.cluster}), charts from ${chartSource(report)}`,
    `charts: ${report.charts.map((c) => `${c.chart} ${c.version}`).join(", ") || "none"}`,
    "",
    ...textTable(tableOf(report), 2),
    "",
    ...images,
    ...(warnings.length ? ["API server warnings:", ...warnings.map((w) => `  ${w}`), ""] : []),
    ...(advised.length ? ["policy advisories:", ...advised.map((a) => `  ${a}`), ""] : []),
    [verdict(report), ...report.failures.map((f) => `  ${f}`)].join("\n"),
  ].join("\n");
}

/**
 * The same report as Markdown, for a pull request comment: the verdict first, the failures in full, the table, and
 * the API server's warnings and policy advisories folded away. Cells and list items are escaped so that an object
 * name or an error message cannot break the table or inject markup.
 */
export function formatMarkdown(report: Report): string {
  const [header, ...rows] = tableOf(report);
  const row = (cells: string[]) => `| ${cells.map(escapeText).join(" | ")} |`;
  const align = header.map((_, i) => (i >= 2 ? "---:" : "---"));
  const warnings = serverWarnings(report);
  const advised = advisories(report);
  const details = (summary: string, lines: string[]) => ["", `<details><summary>${summary}</summary>`, "", ...lines, "", "</details>"];
  const folded = (title: string, items: string[]) => (items.length ? details(`${title} (${items.length})`, listed(items)) : []);
  const unchecked = report.images ? uncheckedCount(report.images) : 0;
  const images = report.images
    ? details(escapeText(imageSummary(report.images)), [
        ...markdownTable(imageTable(report.images)),
        "",
        ...markdownTable(addonTable(report.images)),
      ])
    : [];
  return [
    `### ${report.failures.length > 0 ? "❌" : unchecked > 0 ? "⚠️" : "✅"} verify \`${report.stack}\``,
    "",
    escapeText(verdict(report)),
    ...listed(report.failures),
    "",
    `Kubernetes ${report.kubernetesVersion} (${report.cluster === "throwaway" ? "a throwaway control plane" : "the current kube context, dry runs only"}); ` +
      `charts from ${escapeText(chartSource(report))}: ` +
      escapeText(report.charts.map((c) => `${c.chart} ${c.version}`).join(", ") || "none"),
    "",
    row(header),
    `| ${align.join(" | ")} |`,
    ...rows.map(row),
    ...images,
    ...folded("API server warnings", warnings),
    ...folded("policy advisories", advised),
  ].join("\n");
}

function markdownTable([header, ...rows]: string[][]): string[] {
  const row = (cells: string[]) => `| ${cells.map(escapeText).join(" | ")} |`;
  return [row(header), `| ${header.map(() => "---").join(" | ")} |`, ...rows.map(row)];
}

/** A comment has room for about 65,000 characters: the first items of a long list, and how many more the report holds. */
const LISTED = 40;
function listed(items: readonly string[]): string[] {
  const shown = items.slice(0, LISTED).map((i) => `- ${escapeText(i)}`);
  return items.length > LISTED ? [...shown, `- … and ${items.length - LISTED} more (the job's verify.json lists every one)`] : shown;
}

/** Text that Markdown shows as written: no HTML, no emphasis, links or code spans from the content. */
function escapeText(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`).replace(/\s*\n\s*/g, " ");
}
