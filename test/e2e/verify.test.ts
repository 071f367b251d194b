/**
 * `npm run verify` for real: every AWS environment's Kubernetes layer (its own objects and every chart,
 * rendered by Helm from the mirror) admitted by a real kube-apiserver of the stack's minor, and the three ways
 * it must fail: a chart that does not render, an object the API server refuses, and a workload that breaks
 * its namespace's Pod Security level. Needs the toolchain; skipped loudly without it, except in CI.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackConfig } from "../../mock-engine";
import { DEFAULT_MIRROR_DIR } from "../../scripts/verify/mirror";
import { Report } from "../../scripts/verify/report";
import { verifyStack, VerifyOptions } from "../../scripts/verify/run";
import { findToolchain, inCi, nextMinor, PROJECT_DIR } from "./support/toolchain";

const MINUTE = 60_000;
const CONTROL_PLANE = path.join(PROJECT_DIR, "scripts", "control-plane.sh");

const toolchain = findToolchain();
const runSuite = toolchain.ok || inCi();
if (!toolchain.ok && !inCi()) console.warn(`VERIFY E2E SKIPPED: run scripts/toolchain.sh first. Missing: ${toolchain.missing.join("; ")}`);

/** Runs `body` with the kubeconfig of a fresh control plane (of `minor`, else the current one), stopped and removed afterwards. */
async function withControlPlane<T>(name: string, body: (kubeconfig: string) => Promise<T>, minor?: string): Promise<T> {
  if (!toolchain.ok) throw new Error(`CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verify-test-${name}-`));
  const env = { ...toolchain.env, ...(minor ? { CP_KUBERNETES_MINOR: minor } : {}) };
  const kubeconfig = execFileSync("bash", [CONTROL_PLANE, "start", dir], { encoding: "utf8", env }).trim();
  try {
    return await body(kubeconfig);
  } finally {
    execFileSync("bash", [CONTROL_PLANE, "stop", dir], { env: toolchain.env });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A throwaway control plane per stack (of the minor verified for), so that no stack's objects meet another's. */
function verifyOnThrowaway(stack: string, extra: Partial<VerifyOptions> = {}): Promise<Report> {
  return withControlPlane(
    stack,
    (kubeconfig) =>
      verifyStack(stack, {
        mirror: DEFAULT_MIRROR_DIR,
        kubeconfig,
        cluster: "throwaway",
        env: toolchain.ok ? toolchain.env : process.env,
        ...extra,
      }),
    extra.kubernetesMinor,
  );
}

/** Everything a cluster stores, as names per kind: what a dry-run-only verification must leave as it found it. */
function clusterContents(kubeconfig: string): string {
  const kubectl = (...args: string[]) =>
    execFileSync("kubectl", [`--kubeconfig=${kubeconfig}`, ...args], { encoding: "utf8", env: toolchain.ok ? toolchain.env : process.env });
  const kinds = kubectl("api-resources", "--verbs=list", "-o", "name")
    .split("\n")
    .filter((k) => k && !k.startsWith("events") && k !== "leases.coordination.k8s.io");
  // Sorted: the API server lists some kinds (ComponentStatus) in no fixed order.
  const lines = kubectl(
    "get",
    kinds.join(","),
    "--all-namespaces",
    "-o",
    "custom-columns=KIND:.kind,NS:.metadata.namespace,NAME:.metadata.name",
    "--no-headers",
  );
  return lines.split("\n").filter(Boolean).sort().join("\n");
}

const admittedKinds = (report: Report) =>
  new Set(report.outcomes.filter((o) => o.status === "admitted").map((o) => o.candidate.object.kind));

(runSuite ? describe : describe.skip)("npm run verify on a throwaway control plane", () => {
  describe.each(["e2e", "stage", "prod", "admin"])("%s", (stack) => {
    let report: Report;
    beforeAll(async () => {
      report = await verifyOnThrowaway(stack);
    }, 10 * MINUTE);

    test("every chart renders, every object is admitted, no mandatory policy is violated", () => {
      expect(report.failures).toEqual([]);
      expect(report.charts.length).toBeGreaterThan(3);
      expect(report.outcomes.every((o) => o.status === "admitted")).toBe(true);
    });

    test("at the stack's own Kubernetes minor", () => {
      expect(report.kubernetesVersion).toMatch(
        new RegExp(`^v${readStackConfig(stack)["platform:cluster"].kubernetesVersion.replace(".", "\\.")}\\.`),
      );
    });

    test("custom resources were validated against the CRDs the charts install", () => {
      const kinds = admittedKinds(report);
      for (const kind of [
        "CustomResourceDefinition",
        "Installation",
        "ClusterIssuer",
        "Elasticsearch",
        "Kibana",
        "ServiceMonitor",
        "PrometheusRule",
      ]) {
        expect(kinds).toContain(kind);
      }
    });
  });

  // The next minor: what an upgrade of each environment would meet (docs/upgrades.md).
  const next = toolchain.ok ? nextMinor(toolchain.env) : undefined;
  describe.each(["e2e", "stage", "prod", "admin"])(`%s at the next minor (${next})`, (stack) => {
    test(
      "every chart renders and every object is admitted at the API server of the next minor",
      async () => {
        const report = await verifyOnThrowaway(stack, { kubernetesMinor: next });
        expect(report.failures).toEqual([]);
        expect(report.kubernetesVersion).toMatch(new RegExp(`^v${next?.replace(".", "\\.")}\\.`));
        expect(report.charts.length).toBeGreaterThan(3);
      },
      10 * MINUTE,
    );
  });

  describe("fails, naming the stack, the component and the object", () => {
    test(
      "when a value breaks a chart's template",
      async () => {
        const report = await verifyOnThrowaway("e2e", {
          edit: ({ charts }) => {
            charts.find((c) => c.resource === "cluster-autoscaler-chart")!.values.image = "not-a-map";
          },
        });
        expect(report.failures).toEqual([
          expect.stringMatching(
            /^e2e: cluster-autoscaler: chart cluster-autoscaler 9\.59\.0 \(cluster-autoscaler-chart\) failed to render: .+/,
          ),
        ]);
      },
      10 * MINUTE,
    );

    test(
      "when the API server refuses an object",
      async () => {
        const report = await verifyOnThrowaway("e2e", {
          edit: ({ objects }) => {
            const limits = objects.find((o) => o.object.kind === "LimitRange" && o.object.metadata.namespace === "monitoring")!;
            (limits.object as any).spec.limits[0].default.memory = "plenty";
          },
        });
        expect(report.failures).toEqual([
          // Server-side apply refuses it while converting the object (500), before validation would (422).
          expect.stringMatching(
            /^e2e: monitoring: LimitRange monitoring\/container-defaults \(monitoring-container-defaults\) rejected: 500 .*quantities must match the regular expression/,
          ),
        ]);
      },
      10 * MINUTE,
    );

    test(
      "when a workload's pods break the Pod Security level its namespace enforces",
      async () => {
        const report = await verifyOnThrowaway("e2e", {
          edit: ({ charts }) => {
            const autoscaler = charts.find((c) => c.resource === "cluster-autoscaler-chart")!;
            autoscaler.values.containerSecurityContext = { privileged: true };
          },
        });
        expect(report.failures).toEqual([
          expect.stringMatching(
            /^e2e: cluster-autoscaler: Deployment cluster-autoscaler\/\S+ \(cluster-autoscaler-chart \(cluster-autoscaler 9\.59\.0\)\) rejected: its pods would be refused: .*violates PodSecurity "(baseline|restricted):latest": privileged/,
          ),
        ]);
      },
      10 * MINUTE,
    );
  });

  test(
    "on a user's cluster (--current-context) only dry runs: nothing changes, and what the stack would create first is reported, not failed",
    async () => {
      await withControlPlane("current-context", async (kubeconfig) => {
        const before = clusterContents(kubeconfig);
        const report = await verifyStack("e2e", {
          mirror: DEFAULT_MIRROR_DIR,
          kubeconfig,
          cluster: "current-context",
          env: toolchain.ok ? toolchain.env : process.env,
        });
        expect(clusterContents(kubeconfig)).toEqual(before);
        const notChecked = report.outcomes.filter((o) => o.status === "not checked").map((o) => o.detail);
        expect(notChecked).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^namespace "logging" is created by this stack$/),
            "its CRD is installed by this stack",
          ]),
        );
        // Admitted here are the cluster-scoped objects and those in namespaces that exist already (kube-system).
        expect(report.outcomes.some((o) => o.status === "admitted" && o.candidate.object.metadata.namespace === "kube-system")).toBe(true);
      });
    },
    10 * MINUTE,
  );

  test(
    "the command prints its table and writes a report and its Markdown, for the local stack too",
    () => {
      const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-report-"));
      const reportFile = path.join(reportDir, "local.json");
      const markdownFile = path.join(reportDir, "local.md");
      const args = ["ts-node", "--transpile-only", "scripts/verify.ts", "local", "--report", reportFile, "--markdown", markdownFile];
      const result = spawnSync("npx", args, {
        cwd: PROJECT_DIR,
        env: toolchain.ok ? toolchain.env : process.env,
        encoding: "utf8",
      });
      expect(result.stderr).not.toMatch(/Error/);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/component\s+declared by\s+objects\s+kinds\s+admitted\s+not checked\s+warnings/);
      expect(result.stdout).toMatch(/local: verified at Kubernetes v1\.\d+\.\d+: \d+ of \d+ objects admitted/);
      const written = JSON.parse(fs.readFileSync(reportFile, "utf8"));
      expect(written.failures).toEqual([]);
      expect(written.outcomes.length).toBeGreaterThan(20);
      // The pull request comment's version of the same report.
      const markdown = fs.readFileSync(markdownFile, "utf8");
      expect(markdown).toMatch(/^### ✅ verify `local`\n/);
      expect(markdown).toContain("| component | declared by | objects | kinds | admitted | not checked | warnings |");
    },
    5 * MINUTE,
  );
});
