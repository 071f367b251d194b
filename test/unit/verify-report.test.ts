/**
 * verify's report for people: the table per component on the console, and the same report as Markdown for the
 * pull request comment (`--markdown`), whose content comes from objects and error messages and must not break the
 * table or inject markup.
 */
import { Outcome } from "../../scripts/verify/admit";
import { KubeObject } from "../../scripts/verify/collect";
import { formatMarkdown, formatReport, Report } from "../../scripts/verify/report";

const object = (kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion: "v1",
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

function outcome(
  component: string,
  kind: string,
  name: string,
  fromChart: string | undefined,
  status: Outcome["status"],
  warnings: string[] = [],
) {
  return {
    candidate: {
      component,
      source: fromChart ?? `${component}-${name}`,
      fromChart: fromChart !== undefined,
      object: object(kind, name, "team-a"),
      defaultNamespace: "team-a",
      awaitedByPulumi: true,
    },
    status,
    warnings,
  } satisfies Outcome;
}

const passing: Report = {
  stack: "e2e",
  kubernetesVersion: "v1.33.13",
  cluster: "throwaway",
  mirror: "",
  charts: [{ component: "monitoring", resource: "prometheus", chart: "kube-prometheus-stack", version: "1.2.3", objects: 2 }],
  outcomes: [
    outcome("tenancy", "Namespace", "team-a", undefined, "admitted"),
    outcome("tenancy", "ResourceQuota", "quota", undefined, "admitted"),
    outcome("monitoring", "Deployment", "operator", "prometheus (kube-prometheus-stack 1.2.3)", "admitted", [
      "spec.template: a | pipe and <b>markup</b> in `code`",
    ]),
    outcome("monitoring", "Service", "operator", "prometheus (kube-prometheus-stack 1.2.3)", "not checked"),
  ],
  policyFindings: [],
  failures: [],
};

const failing: Report = {
  ...passing,
  stack: "prod",
  failures: [
    'prod: tenancy: ResourceQuota team-a/quota (tenancy-quota) rejected: 422 spec.hard[cpu]: Invalid value: "x|y"',
    ...Array.from({ length: 45 }, (_, i) => `prod: policy k8s-allowed-registries: image docker.io/evil:${i} is not allowed [urn]`),
  ],
};

/** The cells of a Markdown table row: split at pipes that are not escaped. */
const cells = (line: string) =>
  line
    .replace(/^\| | \|$/g, "")
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());

describe("--markdown: the report for the pull request comment", () => {
  test("a verified stack: the verdict, where it was verified, and one table row per component and chart", () => {
    const markdown = formatMarkdown(passing);
    const lines = markdown.split("\n");
    expect(lines[0]).toBe("### ✅ verify `e2e`");
    expect(markdown).toContain("e2e: verified at Kubernetes v1.33.13: 3 of 4 objects admitted, no mandatory policy violation");
    expect(markdown).toContain("charts from their upstream repositories: kube-prometheus-stack 1.2.3");
    const table = lines.filter((l) => l.startsWith("|"));
    expect(table.map(cells)).toEqual([
      ["component", "declared by", "objects", "kinds", "admitted", "not checked", "warnings"],
      ["---", "---", "---:", "---:", "---:", "---:", "---:"],
      ["monitoring", "prometheus \\(kube-prometheus-stack 1.2.3\\)", "2", "2", "1", "1", "1"],
      ["tenancy", "its own objects", "2", "2", "2", "0", "0"],
    ]);
  });

  test("warnings are folded away and escaped: no pipe, tag or code span of theirs survives as markup", () => {
    const markdown = formatMarkdown(passing);
    expect(markdown).toContain("<details><summary>API server warnings (1)</summary>");
    expect(markdown).toContain("- Deployment team-a/operator: spec.template: a \\| pipe and \\<b\\>markup\\</b\\> in \\`code\\`");
    expect(markdown).not.toMatch(/<b>|`code`/);
  });

  test("a failed stack: the failures in full, first, escaped, and a long list cut with the count of the rest", () => {
    const markdown = formatMarkdown(failing);
    const lines = markdown.split("\n");
    expect(lines[0]).toBe("### ❌ verify `prod`");
    expect(lines[2]).toBe("prod: FAILED \\(46\\):");
    expect(lines[3]).toBe(
      '- prod: tenancy: ResourceQuota team-a/quota \\(tenancy-quota\\) rejected: 422 spec.hard\\[cpu\\]: Invalid value: "x\\|y"',
    );
    expect(lines.filter((l) => l.startsWith("- prod:"))).toHaveLength(40);
    expect(markdown).toContain("- … and 6 more (the job's verify.json lists every one)");
  });
});

test("the console report keeps its table and names every failure", () => {
  const text = formatReport(failing);
  expect(text).toMatch(/^verify prod: Kubernetes v1\.33\.13 \(throwaway\), charts from their upstream repositories$/m);
  expect(text).toMatch(/^component\s+declared by\s+objects\s+kinds\s+admitted\s+not checked\s+warnings$/m);
  expect(text).toMatch(/^tenancy\s+its own objects\s+2\s+2\s+2\s+0\s+0$/m);
  expect(text).toContain("prod: FAILED (46):\n  prod: tenancy: ResourceQuota team-a/quota");
  expect(text.split("\n").filter((l) => l.startsWith("  prod: policy"))).toHaveLength(45);
});
