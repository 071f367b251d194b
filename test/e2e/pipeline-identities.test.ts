/**
 * The pipeline's jobs, each run as the identity that runs it, on a stack holding every chart and object an AWS
 * environment (admin, the one with the most charts) puts into its cluster: the fixture test/e2e/fixtures/stack-replay
 * replays a mock run of admin on a local control plane (what differs there, only for a cluster without nodes, is
 * said in the fixture), and the Secrets it reads from the cluster. The identities are the EKS access entries the program creates, emulated
 * (test/e2e/support/eks-access.ts): the deploy role (AmazonEKSClusterAdminPolicy), the preview role
 * (AmazonEKSViewPolicy and the group platform:pipeline-readers, which the program binds), and, to show what the
 * platform's bindings fix, the preview role as AmazonEKSViewPolicy alone. The jobs run as the workflows run them:
 * `npm run deploy-plan -- save` as the preview role, `apply` as the deploy role, `npm run drift` as the preview role.
 * Needs the toolchain (scripts/toolchain.sh).
 */
import * as fs from "fs";
import * as path from "path";
import { PIPELINE_READERS_GROUP } from "../../components/pipeline-access";
import { collect } from "../../scripts/verify/collect";
import { DEFAULT_MIRROR_DIR } from "../../scripts/verify/mirror";
import { CHART_MIRROR_ENV } from "../../lib/chart-mirror";
import { TEAM_LABEL } from "../../lib/naming";
import { CHARTS } from "../../lib/versions";
import { evaluateStack } from "../../mock-engine";
import { installChartCrds } from "./support/chart-crds";
import { Result } from "./support/commands";
import { emulateAccessPolicies, PRINCIPAL_ENV, principalsKubeconfig } from "./support/eks-access";
import { Sandbox } from "./support/sandbox";
import { stepsInOrder } from "./support/steps";
import { findToolchain, inCi } from "./support/toolchain";

const MINUTE = 60_000;
/** The fixture's stack is named after the environment it replays, whose policy config every job passes. */
const STACK = "admin";
const PRINCIPALS = {
  deployer: { policies: ["AmazonEKSClusterAdminPolicy"], kubernetesGroups: [] },
  previewer: { policies: ["AmazonEKSViewPolicy"], kubernetesGroups: [PIPELINE_READERS_GROUP] },
  "view-policy-only": { policies: ["AmazonEKSViewPolicy"], kubernetesGroups: [] },
} as const;
type Principal = keyof typeof PRINCIPALS;
const FORBIDDEN_LOOKUP = /error calling lookup: secrets "aws-load-balancer-tls" is forbidden/;

const toolchain = findToolchain();
const runSuite = toolchain.ok || inCi();

(runSuite ? describe : describe.skip)("the pipeline's jobs as the identities that run them (real engine)", () => {
  let sandbox: Sandbox;
  let kubeconfig: string;
  const step = stepsInOrder();

  const as = (principal: Principal) => ({ [PRINCIPAL_ENV]: principal });
  const pulumi = (principal: Principal, args: string[]) =>
    sandbox.pulumi([...args, "--stack", STACK], { env: as(principal), allowFailure: true });
  /** A tool of this project, as the workflows run it. */
  const tool = (principal: Principal, script: string, args: string[]) =>
    sandbox.npm(["run", "--silent", script, "--", ...args], { env: as(principal), allowFailure: true });
  const output = (result: Result) => `${result.stdout}\n${result.stderr}`;
  const setConfig = async (values: Record<string, string>) => {
    for (const [key, value] of Object.entries(values)) await sandbox.pulumi(["config", "set", key, value, "--stack", STACK]);
    sandbox.commit(`fixture config: ${Object.keys(values).join(", ")}`);
  };
  /** The charts (helm.v4) whose values hold an IAM role's ARN: what a first deploy's preview cannot render. */
  let chartsWithRoles: string[];

  beforeAll(async () => {
    if (!toolchain.ok) throw new Error(`E2E FAILED: CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")})`);
    sandbox = new Sandbox(toolchain.env);
    await sandbox.startControlPlane();
    sandbox.copyProject();
    // The replay is the copy's program: the tools run where the workflows run them, at the repository's root, with its
    // policy pack and the stack's config of it.
    const fixture = path.join(sandbox.projectDir, "test/e2e/fixtures/stack-replay");
    for (const file of ["Pulumi.yaml", "index.ts", "fail-open-webhooks.sh"])
      fs.copyFileSync(path.join(fixture, file), path.join(sandbox.projectDir, file));
    fs.rmSync(path.join(sandbox.projectDir, `Pulumi.${STACK}.yaml`));
    sandbox.commit("the replay as the program");
    await emulateAccessPolicies(sandbox);
    kubeconfig = principalsKubeconfig(sandbox, PRINCIPALS);
    // Charts that render objects of another chart's CRDs (the runner scale sets, the load balancer controller's and
    // kube-prometheus-stack's cert-manager Certificates): the released provider renders them before those CRDs exist
    // (pulumi-kubernetes#4400, 4.32.0), the toolchain's build of 4.25.0 code cannot (toolchain/README.md), so their CRDs
    // are there first.
    await installChartCrds(sandbox, [
      CHARTS.runnerController,
      { ...CHARTS.certManager, release: { name: "cert-manager", namespace: "cert-manager" } },
    ]);

    process.env[CHART_MIRROR_ENV] = DEFAULT_MIRROR_DIR;
    const run = await evaluateStack(STACK);
    const { objects, charts } = collect(run);
    const secretReads = run.resources.filter((r) => r.read && r.type === "kubernetes:core/v1:Secret").map((r) => r.readId);
    expect(secretReads).toEqual(["logging/logging-es-http-certs-public"]);
    const replay = sandbox.writeFile("replay.json", { objects: objects.map((o) => o.object), charts, secretReads });
    chartsWithRoles = charts
      .filter((chart) => chart.type === "kubernetes:helm.sh/v4:Chart" && /"arn:aws:iam:/.test(JSON.stringify(chart.values)))
      .map((chart) => chart.resource)
      .sort();
    await sandbox.pulumi(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    await setConfig({ "test:kubeconfig": kubeconfig, "test:replay": replay });
  }, 10 * MINUTE);

  afterAll(async () => {
    if (sandbox) await sandbox.cleanUp(process.env.E2E_KEEP === "1");
  }, 2 * MINUTE);

  step("without the platform's bindings, the preview role's preview fails where a chart looks up its Secret", 10 * MINUTE, async () => {
    const preview = await pulumi("view-policy-only", ["preview"]);
    expect(preview.code).not.toBe(0);
    expect(output(preview)).toMatch(FORBIDDEN_LOOKUP);
  });

  step(
    "a first deploy from empty state: the plan (preview role) cannot hold what waits on the update, says so, and the deploy (deploy role) completes",
    20 * MINUTE,
    async () => {
      await setConfig({ "test:valuesWaitOnUpdate": "true" });
      const planDir = path.join(sandbox.root, "first-plan");
      const save = await tool("previewer", "deploy-plan", ["save", STACK, planDir]);
      expect({ code: save.code, output: output(save) }).toMatchObject({ code: 0 });
      const record = JSON.parse(fs.readFileSync(path.join(planDir, "plan-record.json"), "utf8"));
      expect(chartsWithRoles).toContain("load-balancer-controller-chart");
      expect(record.unrendered.map((urn: string) => urn.split("::").pop()).sort()).toEqual(chartsWithRoles);
      expect(fs.readFileSync(path.join(planDir, "summary.md"), "utf8")).toContain("**This plan is incomplete.**");

      const apply = await tool("deployer", "deploy-plan", ["apply", STACK, planDir, "first deploy"]);
      expect({ code: apply.code, output: output(apply).slice(-4000) }).toMatchObject({ code: 0 });
      expect(apply.stdout).toContain(`Updated ${STACK} to the reviewed commit`);
      // Every chart rendered in the end: the load balancer controller's Deployment exists, with its role.
      const controller = await sandbox.kubectlJson(["get", "deployment", "aws-load-balancer-controller", "-n", "kube-system"]);
      expect(controller.metadata.name).toBe("aws-load-balancer-controller");
    },
  );

  step("the preview role's preview of the deployed stack succeeds, and proposes no change", 10 * MINUTE, async () => {
    const preview = await pulumi("previewer", ["preview", "--expect-no-changes", "--diff"]);
    expect({ code: preview.code, output: output(preview).slice(-4000) }).toMatchObject({ code: 0 });
  });

  step(
    "the environment's admission as deployed: a team's LoadBalancer Service must name the load balancer controller's class",
    5 * MINUTE,
    async () => {
      // Only an AWS environment, where the controller runs, holds this rule (local has none): a team namespace of its own.
      await sandbox.kubectl(["create", "namespace", "team-check"]);
      await sandbox.kubectl(["label", "namespace", "team-check", `${TEAM_LABEL}=check`]);
      const service = (spec: object) =>
        sandbox.writeFile(`service-${Date.now()}.json`, {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "web", namespace: "team-check" },
          spec: { type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 443 }], ...spec },
        });
      const unclassed = await sandbox.kubectl(["apply", "--dry-run=server", "-f", service({})], { allowFailure: true });
      expect(unclassed.code).not.toBe(0);
      expect(unclassed.stderr).toMatch(
        /ValidatingAdmissionPolicy 'team-namespaces-services' with binding 'team-namespaces-services' denied request: a LoadBalancer Service in a team namespace takes spec\.loadBalancerClass: service\.k8s\.aws\/nlb/,
      );
      await sandbox.kubectl(["apply", "--dry-run=server", "-f", service({ loadBalancerClass: "service.k8s.aws/nlb" })]);
    },
  );

  step("without the platform's bindings it still fails on the lookup, whatever is deployed", 10 * MINUTE, async () => {
    const preview = await pulumi("view-policy-only", ["preview"]);
    expect(preview.code).not.toBe(0);
    expect(output(preview)).toMatch(FORBIDDEN_LOOKUP);
  });

  step("a deploy onto existing state applies exactly the saved plan (preview role plans, deploy role applies)", 20 * MINUTE, async () => {
    await setConfig({ "test:labels": '{"platform.example.io/revision": "2"}' });
    const planDir = path.join(sandbox.root, "second-plan");
    const save = await tool("previewer", "deploy-plan", ["save", STACK, planDir]);
    expect({ code: save.code, output: output(save).slice(-4000) }).toMatchObject({ code: 0 });
    expect(JSON.parse(fs.readFileSync(path.join(planDir, "plan-record.json"), "utf8")).unrendered).toEqual([]);
    const apply = await tool("deployer", "deploy-plan", ["apply", STACK, planDir, "second deploy"]);
    expect({ code: apply.code, output: output(apply).slice(-4000) }).toMatchObject({ code: 0 });
    expect(apply.stdout).toContain(`Applied the reviewed plan of ${STACK}`);
    const namespace = await sandbox.kubectlJson(["get", "namespace", "monitoring"]);
    expect(namespace.metadata.labels["platform.example.io/revision"]).toBe("2");
  });

  step("the nightly drift check, as the preview role: clean when nothing changed, saying what it did not check", 10 * MINUTE, async () => {
    const drift = await tool("previewer", "drift", [STACK]);
    expect({ code: drift.code, output: output(drift).slice(-4000) }).toMatchObject({ code: 0 });
    expect(drift.stdout).toContain(`No drift: ${STACK} matches the program it runs.`);
    expect(drift.stdout).toMatch(/Not checked:\n {2}\d+ Kubernetes Secrets: the preview role reads no Secret\n {2}1 Helm releases/);
  });

  step(
    "changes made by hand, to a chart's workload and to a cluster-wide role, are reported as drift, not as an error",
    10 * MINUTE,
    async () => {
      await sandbox.kubectl(["scale", "deployment", "aws-load-balancer-controller", "-n", "kube-system", "--replicas=5"]);
      await sandbox.kubectl([
        "patch",
        "clusterrole",
        "external-dns",
        "--type=json",
        "-p",
        // An existing rule widened: a rule appended to the list is not seen by the refresh, which keeps a live list to the
        // program's length (pulumi-kubernetes provider.go pruneLiveState, util.go pruneSlice; docs/delivery.md, "Drift").
        '[{"op":"replace","path":"/rules/0/verbs","value":["get","list","watch","create","update","delete"]}]',
      ]);
      const drift = await tool("previewer", "drift", [STACK]);
      expect({ code: drift.code, output: output(drift).slice(-4000) }).toMatchObject({ code: 3 });
      expect(drift.stdout).toMatch(/Drift on admin: 2 resource\(s\) differ/);
      expect(drift.stdout).toMatch(
        /update kubernetes:apps\/v1:Deployment::load-balancer-controller-chart:kube-system\/aws-load-balancer-controller: .*spec\.replicas/,
      );
      expect(drift.stdout).toMatch(/update kubernetes:rbac.authorization.k8s.io\/v1:ClusterRole::dns-external-dns:.*external-dns: .*rules/);
      expect(output(drift)).not.toMatch(/forbidden/);
    },
  );

  step("without the platform's bindings the drift check cannot read what it checks: an error, not drift", 10 * MINUTE, async () => {
    const drift = await tool("view-policy-only", "drift", [STACK]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/The drift check of admin could not run/);
    expect(output(drift)).toMatch(/is forbidden/);
  });
});
