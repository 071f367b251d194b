/**
 * The auditor role reads every API the platform installs, with get/list/watch only and no
 * wildcards, and still reads no Secret (nor Dex's token storage).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UNREAD_CUSTOM_RESOURCES } from "../../components/tenancy/auditor";
import { CLUSTER_ROLES } from "../../components/tenancy/roles";
import { archivePath } from "../../lib/chart-mirror";
import { CHARTS } from "../../lib/versions";
import { DEFAULT_MIRROR_DIR } from "../../scripts/verify/mirror";
import { runStacks, StackRun } from "../../mock-engine";

type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[] };
const AUDITOR = CLUSTER_ROLES.auditor as Rule[];

const reads = (group: string, resource: string) =>
  AUDITOR.some(
    (rule) =>
      rule.apiGroups?.includes(group) &&
      rule.resources?.includes(resource) &&
      ["get", "list", "watch"].every((v) => rule.verbs?.includes(v)),
  );

/** Every file of a directory tree. */
const filesUnder = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));

/** `group/plural` of every CustomResourceDefinition in a chart archive (templates, crds/ and subcharts alike). */
function crdsOf(archive: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auditor-crds-"));
  try {
    execFileSync("tar", ["-xzf", archive, "-C", dir]);
    return filesUnder(dir)
      .filter((file) => /\.ya?ml$/.test(file))
      .flatMap((file) => fs.readFileSync(file, "utf8").split(/^---\s*$/m))
      .filter((doc) => /^kind:\s*CustomResourceDefinition\s*$/m.test(doc))
      .map((doc) => `${/^ {2}group:\s*"?([\w.-]+)"?\s*$/m.exec(doc)?.[1]}/${/^ {4}plural:\s*"?([\w.-]+)"?\s*$/m.exec(doc)?.[1]}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the auditor role", () => {
  test("reads every CRD of every chart the platform installs (the pinned archives of the chart mirror)", () => {
    const crds = Object.values(CHARTS).flatMap((chart) => crdsOf(archivePath(DEFAULT_MIRROR_DIR, chart.chart, chart.version)));
    expect(crds.length).toBeGreaterThan(80);
    expect(crds.filter((crd) => crd.includes("undefined"))).toEqual([]);
    expect(crds.filter((crd) => !reads(...(crd.split("/") as [string, string])) && !UNREAD_CUSTOM_RESOURCES.includes(crd))).toEqual([]);
  });

  test("reads none of the custom resources left out for their contents, each of an installed chart", () => {
    const crds = Object.values(CHARTS).flatMap((chart) => crdsOf(archivePath(DEFAULT_MIRROR_DIR, chart.chart, chart.version)));
    for (const crd of UNREAD_CUSTOM_RESOURCES) {
      expect(crds).toContain(crd);
      expect([crd, reads(...(crd.split("/") as [string, string]))]).toEqual([crd, false]);
    }
  });

  test("reads the platform's own objects (backups, Elasticsearch, Calico, certificates, Prometheus, runners) and the Kubernetes and EKS APIs it relies on", () => {
    const expected: [string, string][] = [
      ["velero.io", "backups"],
      ["velero.io", "restores"],
      ["elasticsearch.k8s.elastic.co", "elasticsearches"],
      ["kibana.k8s.elastic.co", "kibanas"],
      ["operator.tigera.io", "installations"],
      ["crd.projectcalico.org", "globalnetworkpolicies"],
      ["cert-manager.io", "issuers"],
      ["cert-manager.io", "clusterissuers"],
      ["cert-manager.io", "certificaterequests"],
      ["monitoring.coreos.com", "prometheuses"],
      ["actions.github.com", "autoscalingrunnersets"],
      ["apps", "controllerrevisions"],
      ["policy.networking.k8s.io", "clusternetworkpolicies"],
      ["admissionregistration.k8s.io", "validatingadmissionpolicies"],
      ["", "namespaces"],
      ["", "pods"],
      ["networking.k8s.aws", "policyendpoints"],
    ];
    expect(expected.filter(([group, resource]) => !reads(group, resource))).toEqual([]);
  });

  test("reads no Secret and nothing of Dex's storage, names every verb and resource, and never writes", () => {
    for (const rule of AUDITOR) {
      expect(rule.verbs).toEqual(["get", "list", "watch"]);
      expect(rule.resources).not.toContain("secrets");
      expect([...(rule.apiGroups ?? []), ...(rule.resources ?? [])]).not.toContain("*");
      expect(rule.apiGroups).not.toContain("dex.coreos.com");
    }
  });
});

describe("the auditor role is bound cluster-wide to the auditor group only", () => {
  let runs: Record<"prod" | "local", StackRun>;
  beforeAll(async () => {
    runs = await runStacks(["prod", "local"] as const);
  }, 120_000);

  test.each(["prod", "local"] as const)("%s: the ClusterRole the stack applies is the role above", (stack) => {
    expect(runs[stack].one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "rbac-auditor").inputs.rules).toEqual(AUDITOR);
  });
});
