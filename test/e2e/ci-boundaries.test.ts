/**
 * The CI boundaries a real API server enforces, tried on a throwaway control plane:
 * - a team's CI role, as EKS presents it (its access entry's group, platform:ci:<team>), does what the team's
 *   developers do in its own namespaces and nothing in another team's (the objects prod's stack declares);
 * - the runners' namespace admits the runner pods the scale sets' templates describe, and refuses every pod that
 *   Pod Security `baseline` would refuse, and an unconfined profile anywhere but on a build pod's BuildKit daemon
 *   (components/ci-runners/pod-admission.ts), each refusal with its message.
 * Skipped without the toolchain, except in CI.
 */
import * as fs from "fs";
import * as path from "path";
import { runnerPodAdmissionSpec } from "../../components/ci-runners/pod-admission";
import { buildRunnerTemplate, deployRunnerTemplate } from "../../components/ci-runners/pod-templates";
import { runStack } from "../../mock-engine";
import { Sandbox } from "./support/sandbox";
import { findToolchain, inCi } from "./support/toolchain";

const toolchain = findToolchain();
const MINUTE = 60_000;
const RUNNERS = "ci-runners";
const BUILD_POOL = { "platform.example.io/pool": "ci" };
const ONLY_BUILDKIT = "an unconfined seccomp or AppArmor profile only on the buildkitd container of a pod on the build pool";
const RESOURCES = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } };
/** The user name is the role session's; what EKS gives the role is its access entry's group. */
const asCi = (team: string) => ["--as", `arn:aws:sts::111111111111:assumed-role/prod-ci-${team}/job`, "--as-group", `platform:ci:${team}`];
const forbidden = (what: string, namespace: string) =>
  `is forbidden: User "arn:aws:sts::111111111111:assumed-role/prod-ci-payments/job" cannot ${what} in the namespace "${namespace}"`;

let sandbox: Sandbox;

/** Applies objects (manifests) on the control plane. */
async function apply(objects: object[]): Promise<void> {
  const file = path.join(sandbox.root, `objects-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
  await sandbox.kubectl(["apply", "--server-side", "-f", file]);
}

/** A server-side dry run of creating `object`, as `identity`: the API server's answer, admission included. */
async function tryCreate(object: object, identity: string[] = []): Promise<string> {
  const file = path.join(sandbox.root, `try-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(object));
  const result = await sandbox.kubectl([...identity, "create", "--dry-run=server", "-f", file], { allowFailure: true });
  return `${result.stdout}${result.stderr}`.trim();
}

(toolchain.ok || inCi() ? describe : describe.skip)("CI boundaries on a real API server", () => {
  beforeAll(async () => {
    if (!toolchain.ok) throw new Error(`E2E FAILED: CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")})`);
    sandbox = new Sandbox(toolchain.env);
    await sandbox.startControlPlane();
  }, 5 * MINUTE);

  afterAll(async () => {
    if (sandbox) await sandbox.cleanUp(process.env.E2E_KEEP === "1");
  }, 2 * MINUTE);

  describe("a team's CI role, as its access entry presents it", () => {
    beforeAll(async () => {
      // prod's own objects: the developer ClusterRole, its teams' namespaces and their CI RoleBindings.
      const prod = await runStack("prod");
      const manifest = (type: string, test: (inputs: any) => boolean) =>
        prod
          .ofType(type)
          .map((r) => r.inputs)
          .filter(test);
      await apply([
        ...manifest("kubernetes:core/v1:Namespace", (ns) => ["payments", "payments-batch", "search"].includes(ns.metadata.name)),
        ...manifest("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", (role) => role.metadata.name === "developer"),
      ]);
      await apply(manifest("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", (b) => b.metadata.name === "team-ci-deploy"));
    }, 5 * MINUTE);

    const configMap = (namespace: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "release", namespace } });

    test("deploys in each of its team's namespaces", async () => {
      for (const namespace of ["payments", "payments-batch"]) {
        expect(await tryCreate(configMap(namespace), asCi("payments"))).toBe(`configmap/release created (server dry run)`);
      }
    });

    test("is refused in another team's namespace, to read its Secrets and to deploy there", async () => {
      expect(await tryCreate(configMap("search"), asCi("payments"))).toContain(
        forbidden('create resource "configmaps" in API group ""', "search"),
      );
      const read = await sandbox.kubectl([...asCi("payments"), "-n", "search", "get", "secrets"], { allowFailure: true });
      expect(read.stderr).toContain(forbidden('list resource "secrets" in API group ""', "search"));
    });

    test("cannot widen its own rights in its namespace", async () => {
      const binding = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "more", namespace: "payments" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "platform:ci:payments" }],
      };
      expect(await tryCreate(binding, asCi("payments"))).toContain("is forbidden");
    });
  });

  describe("the runners' namespace", () => {
    const labels = BUILD_POOL;
    const placement = {
      nodeSelector: labels,
      tolerations: [{ key: "platform.example.io/ci", operator: "Equal" as const, value: "true", effect: "NoSchedule" as const }],
    };
    const pod = (name: string, template: { metadata?: object; spec: object }) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: RUNNERS, ...template.metadata },
      spec: template.spec,
    });
    const build = () => structuredClone(pod("build", buildRunnerTemplate(placement, { runner: RESOURCES, buildkit: RESOURCES }))) as any;
    const deploy = () => structuredClone(pod("deploy", deployRunnerTemplate("ci-deployer", RESOURCES, "deploy"))) as any;
    const denied = (message: string) =>
      `is forbidden: ValidatingAdmissionPolicy '${RUNNERS}-pods' with binding '${RUNNERS}-pods' denied request: ${RUNNERS}: ${message}`;

    beforeAll(async () => {
      await apply([
        {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: RUNNERS, labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
        },
        {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "ValidatingAdmissionPolicy",
          metadata: { name: `${RUNNERS}-pods` },
          spec: runnerPodAdmissionSpec({ namespace: RUNNERS, buildPoolLabels: BUILD_POOL }),
        },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ci-deployer", namespace: RUNNERS } },
      ]);
      await apply([
        {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "ValidatingAdmissionPolicyBinding",
          metadata: { name: `${RUNNERS}-pods` },
          spec: {
            policyName: `${RUNNERS}-pods`,
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": RUNNERS } } },
          },
        },
      ]);
      // The API server compiles a new policy asynchronously: wait until it refuses what it must.
      const privileged = deploy();
      privileged.spec.containers[0].securityContext = { privileged: true };
      for (let attempt = 0; attempt < 30 && !(await tryCreate(privileged)).includes("denied request"); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }, 5 * MINUTE);

    test("admits the build runner (rootless BuildKit on the build pool) and the deploy runner as their templates describe them", async () => {
      expect(await tryCreate(build())).toBe("pod/build created (server dry run)");
      expect(await tryCreate(deploy())).toBe("pod/deploy created (server dry run)");
    });

    test.each([
      ["a privileged container", (p: any) => (p.spec.containers[0].securityContext = { privileged: true }), "no privileged container"],
      ["a privileged BuildKit", (p: any) => (p.spec.initContainers[0].securityContext.privileged = true), "no privileged container"],
      [
        "an added capability",
        (p: any) => (p.spec.initContainers[0].securityContext.capabilities = { add: ["SYS_ADMIN"] }),
        "no privileged",
      ],
      ["a custom SELinux type", (p: any) => (p.spec.containers[0].securityContext.seLinuxOptions = { type: "spc_t" }), "no privileged"],
      ["the host network", (p: any) => (p.spec.hostNetwork = true), "no host network, PID or IPC namespace"],
      ["the host PID namespace", (p: any) => (p.spec.hostPID = true), "no host network, PID or IPC namespace"],
      ["a hostPath volume", (p: any) => p.spec.volumes.push({ name: "host", hostPath: { path: "/" } }), "no hostPath volume"],
      ["a host port", (p: any) => (p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]), "no host port"],
      [
        "a sysctl",
        (p: any) => (p.spec.securityContext.sysctls = [{ name: "net.ipv4.ip_local_port_range", value: "1024 65000" }]),
        "no pod-wide",
      ],
      ["a pod-wide unconfined seccomp", (p: any) => (p.spec.securityContext.seccompProfile = { type: "Unconfined" }), "no pod-wide"],
      ["BuildKit off the build pool", (p: any) => delete p.spec.nodeSelector, ONLY_BUILDKIT],
      ["BuildKit on another pool", (p: any) => (p.spec.nodeSelector = { "platform.example.io/pool": "system" }), ONLY_BUILDKIT],
      ["an unconfined runner", (p: any) => (p.spec.containers[0].securityContext.seccompProfile = { type: "Unconfined" }), ONLY_BUILDKIT],
    ])("refuses %s", async (_what, edit, message) => {
      const candidate = build();
      edit(candidate);
      expect(await tryCreate(candidate)).toContain(denied(message));
    });
  });
});
