/**
 * The `local` stack on a real engine and a real API server: a throwaway control plane, a file backend with
 * passphrase secrets, and a copy of the project in its own git repository. The steps run in order and share
 * one stack: deploy, inspect, RBAC, quota and pod security admission, a new team's preview and update,
 * rollback, the stack lock, idempotency. Needs the toolchain of scripts/toolchain.sh; without it the suite
 * is skipped, loudly, except in CI (CI set), where a missing toolchain fails. E2E_KEEP=1 keeps the temporary
 * directory (its commands.log has every command with its output).
 */
import * as fs from "fs";
import * as path from "path";
import { PULL_SECRET_NAME } from "../../components/tenancy/team";
import { Result } from "./support/commands";
import { emulateAccessPolicies, PRINCIPAL_ENV, principalsKubeconfig } from "./support/eks-access";
import { stepsInOrder } from "./support/steps";
import { Sandbox, STACK } from "./support/sandbox";
import { findToolchain, inCi, PROJECT_DIR } from "./support/toolchain";
import { waitFor } from "./support/wait";

const MINUTE = 60_000;
const REGISTRY = "registry.example.com";
const REGISTRY_USER = "e2e-puller";
const REGISTRY_PASSWORD = "e2e-registry-token";
const TEAM_NAMESPACES = ["alpha", "beta", "beta-jobs"];
const NEW_TEAM = "gamma";

const toolchain = findToolchain();
const runSuite = toolchain.ok || inCi();
if (!toolchain.ok && !inCi()) {
  const rule = "=".repeat(100);
  console.warn(
    `${rule}\nE2E SKIPPED: run scripts/toolchain.sh (the real-engine suite needs the Pulumi CLI, the kubernetes plugin and a control plane).\n` +
      `Missing: ${toolchain.missing.join("; ")}\nIn CI (CI=true) this is a failure, not a skip.\n${rule}`,
  );
}

const timings: [string, number][] = [];
function timed(label: string, result: Result): Result {
  timings.push([label, result.seconds]);
  return result;
}

let sandbox: Sandbox;
/** The commit deployed before the new team was added: what the rollback must return to. */
let commitBeforeNewTeam: string;

/** Tests that need the stack the previous steps left; `blocking` steps stop the later ones when they fail. */
const step = stepsInOrder();

(runSuite ? describe : describe.skip)(`the ${STACK} stack on a throwaway control plane (real engine)`, () => {
  beforeAll(async () => {
    if (!toolchain.ok) {
      throw new Error(
        `E2E FAILED: CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")}). Run \`bash scripts/toolchain.sh\` first, as .ci/run does.`,
      );
    }
    sandbox = new Sandbox(toolchain.env);
    // Warm: everything is in .toolchain already, so this only verifies the pinned versions.
    timed(
      "toolchain (warm run of scripts/toolchain.sh)",
      await sandbox.commands.run("bash", ["scripts/toolchain.sh"], { cwd: PROJECT_DIR, env: toolchain.env }),
    );
    timed("control plane start", await sandbox.startControlPlane());
    sandbox.copyProject();

    await sandbox.pulumi(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    sandbox.editStackConfig((doc) => {
      doc.setIn(["config", "platform:cluster", "kubeconfig"], sandbox.kubeconfig);
      doc.setIn(["config", "platform:registries"], doc.createNode({ pullCredentials: [{ server: REGISTRY, username: REGISTRY_USER }] }));
    });
    await sandbox.pulumi(["config", "set", "--secret", "--path", `platform:registryPasswords["${REGISTRY}"]`, REGISTRY_PASSWORD]);
    // Committed, so that every update records a clean commit (`pulumi stack init` added the encryption salt).
    sandbox.commit("point local at the test control plane, with a registry that needs credentials");
  }, 15 * MINUTE);

  afterAll(async () => {
    if (timings.length > 0) {
      console.log(
        `E2E timings (seconds):\n${timings.map(([label, seconds]) => `  ${seconds.toFixed(1).padStart(7)}  ${label}`).join("\n")}`,
      );
    }
    const keep = process.env.E2E_KEEP === "1";
    if (sandbox) {
      await sandbox.cleanUp(keep);
      if (keep)
        console.log(`E2E_KEEP=1: kept ${sandbox.root} (commands.log has every command and its output; the control plane is stopped)`);
    }
  }, 2 * MINUTE);

  step("`pulumi up` deploys the platform layer", 15 * MINUTE, async () => {
    timed("pulumi up (first deployment)", await sandbox.pulumi(["up", "--yes", "--message", "first deployment"]));
    const outputs = JSON.parse((await sandbox.pulumi(["stack", "output", "--json"])).stdout);
    expect(outputs.teamNamespaces).toEqual({ alpha: ["alpha"], beta: ["beta", "beta-jobs"] });
  });

  step("a preview right after the deployment proposes no change", 10 * MINUTE, async () => {
    timed("pulumi preview, no change (after the first deployment)", await sandbox.pulumi(["preview", "--expect-no-changes", "--diff"]));
  });

  step(
    "the objects exist with the configured fields",
    5 * MINUTE,
    async () => {
      for (const namespace of TEAM_NAMESPACES) {
        const team = namespace.startsWith("beta") ? "beta" : "alpha";
        const ns = await sandbox.kubectlJson(["get", "namespace", namespace]);
        expect(ns.metadata.labels).toMatchObject({
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "platform.example.io/environment": STACK,
          "platform.example.io/team": team,
          "app.kubernetes.io/managed-by": "pulumi",
        });
        expect(ns.metadata.annotations).toMatchObject({ "platform.example.io/owner": `${team}-lead@example.com` });

        const quota = await sandbox.kubectlJson(["get", "resourcequota", "team-quota", "-n", namespace]);
        // alpha is granted one load balancer, so its node ports are not capped (NodePort Services are refused by
        // admission); beta has none, so its node ports stay at 0 too.
        const services =
          team === "alpha" ? { "services.loadbalancers": "1" } : { "services.loadbalancers": "0", "services.nodeports": "0" };
        expect(quota.spec.hard).toEqual({
          pods: "10",
          services: "5",
          ...services,
          secrets: "10",
          configmaps: "10",
          persistentvolumeclaims: "2",
        });
        const limits = await sandbox.kubectlJson(["get", "limitrange", "container-defaults", "-n", namespace]);
        expect(limits.spec.limits).toEqual([
          expect.objectContaining({
            type: "Container",
            defaultRequest: { cpu: "50m", memory: "64Mi" },
            default: { cpu: "200m", memory: "256Mi" },
          }),
        ]);
        const policy = await sandbox.kubectlJson(["get", "networkpolicy", "default-deny-with-platform-access", "-n", namespace]);
        expect(policy.spec.podSelector).toEqual({});
        expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
        // The team's own namespaces, as the API server resolves the policy's selectors: each of a team's
        // namespaces is selected by the allow rules of every other one.
        const selected = async (selector: { matchLabels: Record<string, string> }) => {
          const labels = Object.entries(selector.matchLabels)
            .map(([key, value]) => `${key}=${value}`)
            .join(",");
          return (await sandbox.kubectlJson(["get", "namespaces", "-l", labels])).items.map((n: any) => n.metadata.name).sort();
        };
        const teamNamespaces = TEAM_NAMESPACES.filter((n) => n.startsWith(team));
        expect(await selected(policy.spec.ingress[0].from[0].namespaceSelector)).toEqual(teamNamespaces);
        expect(await selected(policy.spec.egress[0].to[0].namespaceSelector)).toEqual(teamNamespaces);

        const secret = await sandbox.kubectlJson(["get", "secret", "registry-credentials", "-n", namespace]);
        expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
        const dockerConfig = JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString("utf8"));
        expect(dockerConfig.auths[REGISTRY]).toMatchObject({ username: REGISTRY_USER, password: REGISTRY_PASSWORD });
        // The default ServiceAccount is the controller-manager's; the program only patches its pull secrets in.
        const serviceAccount = await sandbox.kubectlJson(["get", "serviceaccount", "default", "-n", namespace]);
        expect(serviceAccount.imagePullSecrets).toEqual([{ name: "registry-credentials" }]);
      }

      const bindings = async (namespace: string) =>
        Object.fromEntries(
          (await sandbox.kubectlJson(["get", "rolebindings", "-n", namespace])).items.map((b: any) => [
            b.metadata.name,
            `${b.roleRef.name} <- ${b.subjects.map((s: any) => `${s.kind}:${s.name}`).join(",")}`,
          ]),
        );
      expect(await bindings("alpha")).toEqual({
        "team-namespace-admin": "namespace-admin <- Group:oidc:team-alpha-leads",
        "team-developer": "developer <- Group:oidc:team-alpha",
        "team-viewer": "viewer <- Group:oidc:team-alpha-support",
      });
      for (const namespace of ["beta", "beta-jobs"])
        expect(await bindings(namespace)).toEqual({ "team-developer": "developer <- Group:oidc:team-beta" });

      const clusterRoles = await sandbox.kubectlJson(["get", "clusterroles", "-l", "app.kubernetes.io/managed-by=pulumi"]);
      expect(clusterRoles.items.map((r: any) => r.metadata.name).sort()).toEqual([
        "auditor",
        "developer",
        "namespace-admin",
        "platform-admin",
        "viewer",
      ]);
      const clusterBindings = await sandbox.kubectlJson(["get", "clusterrolebindings", "-l", "app.kubernetes.io/managed-by=pulumi"]);
      expect(
        Object.fromEntries(clusterBindings.items.map((b: any) => [b.metadata.name, b.subjects.map((s: any) => `${s.kind}:${s.name}`)])),
      ).toEqual({
        "platform-admin": ["Group:oidc:platform-infra"],
        auditor: ["Group:oidc:platform-auditors"],
      });
    },
    { blocking: false },
  );

  step(
    "RBAC: each directory group gets exactly its rights (kubectl auth can-i --as --as-group)",
    5 * MINUTE,
    async () => {
      // [who, group, verb, resource, namespace or "*" for all namespaces, expected]
      const matrix: [string, string, string, string, string, "yes" | "no"][] = [
        ["developer", "team-alpha", "create", "deployments.apps", "alpha", "yes"],
        ["developer", "team-alpha", "create", "secrets", "alpha", "yes"],
        ["developer", "team-alpha", "get", "secrets", "alpha", "yes"],
        ["developer", "team-alpha", "get", "secrets", "beta", "no"],
        ["developer", "team-alpha", "create", "deployments.apps", "beta", "no"],
        ["developer", "team-alpha", "create", "pods", "kube-system", "no"],
        ["developer", "team-alpha", "update", "resourcequotas", "alpha", "no"],
        ["developer", "team-alpha", "delete", "networkpolicies.networking.k8s.io", "alpha", "no"],
        ["developer", "team-alpha", "create", "rolebindings.rbac.authorization.k8s.io", "alpha", "no"],
        ["team admin", "team-alpha-leads", "create", "rolebindings.rbac.authorization.k8s.io", "alpha", "yes"],
        ["team admin", "team-alpha-leads", "create", "rolebindings.rbac.authorization.k8s.io", "beta", "no"],
        ["team admin", "team-alpha-leads", "create", "networkpolicies.networking.k8s.io", "alpha", "yes"],
        ["team admin", "team-alpha-leads", "create", "networkpolicies.networking.k8s.io", "beta", "no"],
        ["developer", "team-beta", "create", "deployments.apps", "beta-jobs", "yes"],
        ["developer", "team-beta", "get", "secrets", "alpha", "no"],
        ["viewer", "team-alpha-support", "list", "pods", "alpha", "yes"],
        ["viewer", "team-alpha-support", "create", "deployments.apps", "alpha", "no"],
        ["viewer", "team-alpha-support", "get", "secrets", "alpha", "no"],
        ["infra", "platform-infra", "*", "*", "kube-system", "yes"],
        ["infra", "platform-infra", "create", "pods", "kube-system", "yes"],
        ["infra", "platform-infra", "get", "secrets", "*", "yes"],
        ["auditor", "platform-auditors", "list", "pods", "*", "yes"],
        ["auditor", "platform-auditors", "list", "namespaces", "*", "yes"],
        ["auditor", "platform-auditors", "get", "secrets", "*", "no"],
        ["auditor", "platform-auditors", "get", "secrets", "alpha", "no"],
        ["auditor", "platform-auditors", "create", "pods", "alpha", "no"],
        ["no group", "", "list", "pods", "alpha", "no"],
      ];
      const answers = await Promise.all(
        matrix.map(async ([who, group, verb, resource, namespace]) => {
          const scope = namespace === "*" ? ["--all-namespaces"] : ["-n", namespace];
          const identity = ["--as", `e2e-${who.replace(/ /g, "-")}`, ...(group ? ["--as-group", `oidc:${group}`] : [])];
          const result = await sandbox.kubectl(["auth", "can-i", verb, resource, ...scope, ...identity], { allowFailure: true });
          return result.stdout.trim() || result.stderr.trim();
        }),
      );
      const label = ([who, group, verb, resource, namespace]: (typeof matrix)[number]) =>
        `${who} (oidc:${group}) ${verb} ${resource} in ${namespace}`;
      expect(matrix.map((row, i) => `${label(row)}: ${answers[i]}`)).toEqual(matrix.map((row) => `${label(row)}: ${row[5]}`));
    },
    { blocking: false },
  );

  step(
    "quota admission rejects the object beyond the object-count quota",
    5 * MINUTE,
    async () => {
      const namespace = "alpha";
      const developer = ["--as", "e2e-developer", "--as-group", "oidc:team-alpha"];
      // Admission needs the usage the quota controller computes first (kube-root-ca.crt already counts).
      const used = await waitFor("the quota controller to compute team-quota's usage", MINUTE, async () => {
        const quota = await sandbox.kubectlJson(["get", "resourcequota", "team-quota", "-n", namespace]);
        return quota.status?.used?.configmaps;
      });
      const free = 10 - Number(used);
      expect(free).toBeGreaterThan(0);
      const created: string[] = [];
      try {
        for (let i = 1; i <= free; i++) {
          await sandbox.kubectl(["create", "configmap", `quota-probe-${i}`, "-n", namespace, "--from-literal=probe=yes", ...developer]);
          created.push(`quota-probe-${i}`);
        }
        const beyond = await sandbox.kubectl(
          ["create", "configmap", "quota-probe-beyond", "-n", namespace, "--from-literal=probe=yes", ...developer],
          { allowFailure: true },
        );
        expect(beyond.code).not.toBe(0);
        expect(beyond.stderr).toMatch(/exceeded quota: team-quota, requested: configmaps=1, used: configmaps=10, limited: configmaps=10/);
      } finally {
        if (created.length > 0) await sandbox.kubectl(["delete", "configmap", "-n", namespace, ...created]);
      }
    },
    { blocking: false },
  );

  step(
    "a team's developer gets its granted LoadBalancer Services and no more, and no NodePort Service",
    5 * MINUTE,
    async () => {
      const namespace = "alpha";
      const developer = ["--as", "e2e-developer", "--as-group", "oidc:team-alpha"];
      const service = (name: string, type: string) =>
        sandbox.writeFile(`${name}.json`, {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name, namespace },
          spec: { type, selector: { app: name }, ports: [{ port: 443, targetPort: 8443 }] },
        });
      await waitFor("the quota controller to compute team-quota's usage", MINUTE, async () => {
        const quota = await sandbox.kubectlJson(["get", "resourcequota", "team-quota", "-n", namespace]);
        return quota.status?.used?.["services.loadbalancers"];
      });
      const created: string[] = [];
      try {
        await sandbox.kubectl(["create", "-f", service("granted-lb", "LoadBalancer"), ...developer]);
        created.push("granted-lb");
        const beyond = await sandbox.kubectl(["create", "-f", service("second-lb", "LoadBalancer"), ...developer], { allowFailure: true });
        expect(beyond.code).not.toBe(0);
        expect(beyond.stderr).toMatch(
          /exceeded quota: team-quota, requested: services.loadbalancers=1, used: services.loadbalancers=1, limited: services.loadbalancers=1/,
        );
        const nodePort = await sandbox.kubectl(["create", "-f", service("node-port", "NodePort"), ...developer], { allowFailure: true });
        expect(nodePort.code).not.toBe(0);
        expect(nodePort.stderr).toMatch(/team-namespaces-no-node-ports.*NodePort Services are not allowed in team namespaces/);
      } finally {
        if (created.length > 0) await sandbox.kubectl(["delete", "service", "-n", namespace, ...created]);
      }
    },
    { blocking: false },
  );

  step(
    "admission: pod security rejects a privileged pod, and the default limits fill in a pod's resources",
    5 * MINUTE,
    async () => {
      const namespace = "alpha";
      const developer = ["--as", "e2e-developer", "--as-group", "oidc:team-alpha"];
      const pod = (name: string, securityContext: object) =>
        sandbox.writeFile(`${name}.json`, {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name, namespace },
          spec: { containers: [{ name: "app", image: `${REGISTRY}/probe:1`, securityContext }] },
        });
      const privileged = await sandbox.kubectl(["create", "-f", pod("privileged-probe", { privileged: true }), ...developer], {
        allowFailure: true,
      });
      expect(privileged.code).not.toBe(0);
      expect(privileged.stderr).toMatch(/violates PodSecurity "restricted:latest": privileged/);

      // No node ever runs it: admission alone decides, and an unscheduled pod is deleted at once.
      const restricted = {
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      };
      await sandbox.kubectl(["create", "-f", pod("restricted-probe", restricted), ...developer]);
      try {
        const created = await sandbox.kubectlJson(["get", "pod", "restricted-probe", "-n", namespace]);
        expect(created.spec.containers[0].resources).toEqual({
          requests: { cpu: "50m", memory: "64Mi" },
          limits: { cpu: "200m", memory: "256Mi" },
        });
      } finally {
        await sandbox.kubectl(["delete", "pod", "restricted-probe", "-n", namespace, "--wait=false"]);
      }
    },
    { blocking: false },
  );

  step("a new team in config: `pulumi preview` proposes exactly its resources, and nothing else changes", 10 * MINUTE, async () => {
    commitBeforeNewTeam = sandbox.head();
    sandbox.editStackConfig((doc) => {
      doc.addIn(
        ["config", "platform:teams"],
        doc.createNode({
          name: NEW_TEAM,
          owner: `${NEW_TEAM}-lead@example.com`,
          costCentre: `cc-2300-${NEW_TEAM}`,
          groups: { developers: [`team-${NEW_TEAM}`] },
        }),
      );
    });
    sandbox.commit(`add team ${NEW_TEAM}`);
    const preview = timed("pulumi preview (a new team)", await sandbox.pulumi(["preview", "--json"]));
    const { steps, changeSummary }: { steps: { op: string; urn: string }[]; changeSummary: Record<string, number> } = JSON.parse(
      preview.stdout,
    );
    const byOp = (op: string) => steps.filter((s) => s.op === op).map((s) => typeAndName(s.urn));
    expect(byOp("create").sort()).toEqual(
      [
        `platform:tenancy:Team ${NEW_TEAM}`,
        `kubernetes:core/v1:Namespace ${NEW_TEAM}-${NEW_TEAM}`,
        `kubernetes:core/v1:ResourceQuota ${NEW_TEAM}-${NEW_TEAM}-quota`,
        `kubernetes:core/v1:LimitRange ${NEW_TEAM}-${NEW_TEAM}-limits`,
        `kubernetes:networking.k8s.io/v1:NetworkPolicy ${NEW_TEAM}-${NEW_TEAM}-network-baseline`,
        `kubernetes:rbac.authorization.k8s.io/v1:RoleBinding ${NEW_TEAM}-${NEW_TEAM}-developer`,
        `kubernetes:core/v1:Secret ${NEW_TEAM}-${NEW_TEAM}-pull-secret`,
        `kubernetes:core/v1:ServiceAccountPatch ${NEW_TEAM}-${NEW_TEAM}-default-sa`,
      ].sort(),
    );
    expect(steps.filter((s) => s.op !== "create" && s.op !== "same").map((s) => `${s.op} ${typeAndName(s.urn)}`)).toEqual([]);
    // The JSON lists unchanged resources only in the summary: no update, replace or delete anywhere.
    expect(Object.keys(changeSummary).sort()).toEqual(["create", "same"]);
    expect(changeSummary.create).toBe(8);
  });

  step("`pulumi up` applies the new team", 10 * MINUTE, async () => {
    timed("pulumi up (a new team)", await sandbox.pulumi(["up", "--yes", "--message", `add team ${NEW_TEAM}`]));
    const ns = await sandbox.kubectlJson(["get", "namespace", NEW_TEAM]);
    expect(ns.metadata.labels["platform.example.io/team"]).toBe(NEW_TEAM);
    const canDeploy = await sandbox.kubectl([
      "auth",
      "can-i",
      "create",
      "deployments.apps",
      "-n",
      NEW_TEAM,
      "--as",
      "e2e-dev",
      "--as-group",
      `oidc:team-${NEW_TEAM}`,
    ]);
    expect(canDeploy.stdout.trim()).toBe("yes");
  });

  step("`npm run rollback` returns the stack to the version before the new team", 20 * MINUTE, async () => {
    const list = await sandbox.npm(["run", "--silent", "rollback", "--", STACK, "--list"]);
    const row = list.stdout
      .split("\n")
      .find((line) => new RegExp(`^\\d+\\s.*\\bupdate\\s+succeeded\\s+${commitBeforeNewTeam.slice(0, 12)}\\s`).test(line));
    if (!row) throw new Error(`no succeeded update of ${commitBeforeNewTeam.slice(0, 12)} in the history:\n${list.stdout}`);
    const version = Number(row.split(/\s+/)[0]);

    const rollback = timed(
      "npm run rollback -- local --to <version> --yes (worktree, npm ci, preview, up)",
      await sandbox.npm(["run", "--silent", "rollback", "--", STACK, "--to", String(version), "--yes"]),
    );
    expect(rollback.stdout).toMatch(
      new RegExp(`Rolled ${STACK} back to version ${version} \\(commit ${commitBeforeNewTeam.slice(0, 12)}\\)`),
    );

    // The provider waits for the namespace's deletion; the controller-manager's finalisation is waited for here too.
    await waitFor(`namespace ${NEW_TEAM} to be gone`, MINUTE, async () => {
      const result = await sandbox.kubectl(["get", "namespace", NEW_TEAM], { allowFailure: true });
      return result.code !== 0 && /NotFound/.test(result.stderr) ? true : undefined;
    });
    for (const namespace of TEAM_NAMESPACES) await sandbox.kubectl(["get", "namespace", namespace]);
    const outputs = JSON.parse((await sandbox.pulumi(["stack", "output", "--json"])).stdout);
    expect(outputs.teamNamespaces).toEqual({ alpha: ["alpha"], beta: ["beta", "beta-jobs"] });

    const history: { message: string; result: string; environment: Record<string, string> }[] = JSON.parse(
      (await sandbox.pulumi(["stack", "history", "--json"])).stdout,
    );
    expect(history[0].result).toBe("succeeded");
    expect(history[0].message).toMatch(
      new RegExp(`^Rollback of ${STACK} to version ${version} \\(commit ${commitBeforeNewTeam.slice(0, 12)}\\)`),
    );
    expect(history[0].environment["git.head"]).toBe(commitBeforeNewTeam);
  });

  step("a second concurrent `pulumi up` is refused by the stack lock", 15 * MINUTE, async () => {
    // The branch follows the rollback, as an operator's revert would, so that the next updates deploy the same program.
    sandbox.git("revert", "--no-edit", "HEAD");
    const holder = sandbox.pulumiInBackground(["up", "--yes", "--skip-preview", "--message", "holds the stack lock"]);
    let holderDone = false;
    void holder.result.finally(() => (holderDone = true));
    await waitFor(
      "the first update to take the stack lock",
      5 * MINUTE,
      async () => {
        if (holderDone) throw new Error(`the first update ended before its lock was seen:\n${(await holder.result).stdout}`);
        return sandbox.locks().length > 0 ? true : undefined;
      },
      100,
    );

    const second = await sandbox.pulumi(["up", "--yes", "--skip-preview", "--message", "concurrent update"], { allowFailure: true });
    const first = await holder.result;
    expect(second.code).not.toBe(0);
    expect(`${second.stdout}\n${second.stderr}`).toMatch(/currently locked/);
    expect(first.code).toBe(0);
    expect(sandbox.locks()).toEqual([]);
  });

  step(
    "the deploy applies exactly the plan that was reviewed, and refuses when the program or the stack changed since",
    20 * MINUTE,
    async () => {
      // What stack-up.yml runs on both sides of the approval gate (scripts/deploy-plan).
      const planDir = path.join(sandbox.root, "reviewed-plan");
      const deployPlan = (...args: string[]) => sandbox.npm(["run", "--silent", "deploy-plan", "--", ...args], { allowFailure: true });
      const setPods = (pods: number) =>
        sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:tenancy", "defaultQuota", "pods"], pods));
      const quotaPods = async () => (await sandbox.kubectlJson(["get", "resourcequota", "team-quota", "-n", "alpha"])).spec.hard.pods;
      const before = await quotaPods();
      try {
        setPods(11);
        timed("deploy-plan save (preview --save-plan, policy pack)", await deployPlan("save", STACK, planDir));
        expect(fs.readFileSync(path.join(planDir, "summary.md"), "utf8")).toMatch(
          /\| update \| `kubernetes:core\/v1:ResourceQuota` \| `alpha-alpha-quota` \|/,
        );

        // main moved on after the review: the engine refuses what the plan does not hold.
        setPods(13);
        const programChanged = await deployPlan("apply", STACK, planDir, "apply a stale plan");
        expect(programChanged.code).not.toBe(0);
        expect(`${programChanged.stdout}\n${programChanged.stderr}`).toMatch(/violates plan/);
        expect(await quotaPods()).toBe(before);

        // Someone deployed behind the plan: refused before the engine runs, whatever the program.
        setPods(12);
        await sandbox.pulumi(["up", "--yes", "--skip-preview", "--message", "an update behind the reviewed plan"]);
        setPods(11);
        const stackChanged = await deployPlan("apply", STACK, planDir, "apply after another update");
        expect(stackChanged.code).toBe(2);
        expect(stackChanged.stderr).toMatch(
          /Refused: stack local changed since its plan was saved .* Run the deploy again to review a new plan/,
        );
        expect(await quotaPods()).toBe("12");

        // Reviewed again and applied: exactly that change.
        timed("deploy-plan save (second review)", await deployPlan("save", STACK, planDir));
        const applied = timed("deploy-plan apply (up --plan)", await deployPlan("apply", STACK, planDir, "apply the reviewed plan"));
        expect(applied.code).toBe(0);
        expect(await quotaPods()).toBe("11");
        const [latest] = JSON.parse((await sandbox.pulumi(["stack", "history", "--json"])).stdout);
        expect(latest).toMatchObject({ message: "apply the reviewed plan", result: "succeeded" });
      } finally {
        // Back to the committed program, for the idempotency check that follows.
        sandbox.git("checkout", "--", `Pulumi.${STACK}.yaml`);
        await sandbox.pulumi(["up", "--yes", "--skip-preview", "--message", "back to the committed program"]);
      }
    },
  );

  step(
    "drift: the deployed commit is read from the history, and the drift check, which leaves Secrets out, still sees other drift",
    15 * MINUTE,
    async () => {
      const deployed = await sandbox.npm(["run", "--silent", "delivery", "--", "deployed-commit", STACK]);
      expect(deployed.stdout.trim()).toBe(sandbox.head());
      // Edited outside Pulumi: a quota, and the team's pull secret, which the preview role may not read (the drift check
      // leaves Secrets out of its refresh; a refresh that cannot read one fails as a whole).
      const dockerConfig = Buffer.from(JSON.stringify({ auths: { "edited.example.com": {} } })).toString("base64");
      await sandbox.kubectl([
        "patch",
        "resourcequota",
        "team-quota",
        "-n",
        "alpha",
        "--type",
        "merge",
        "-p",
        '{"spec":{"hard":{"pods":"99"}}}',
      ]);
      await sandbox.kubectl([
        "patch",
        "secret",
        PULL_SECRET_NAME,
        "-n",
        "alpha",
        "--type",
        "merge",
        "-p",
        JSON.stringify({ data: { ".dockerconfigjson": dockerConfig } }),
      ]);
      const everything = await sandbox.pulumi(["preview", "--refresh", "--diff", "--expect-no-changes"], { allowFailure: true });
      expect(everything.code).not.toBe(0);
      expect(everything.stdout).toMatch(/alpha-alpha-quota/);
      expect(everything.stdout).toMatch(/alpha-alpha-pull-secret/);
      const drift = () => sandbox.npm(["run", "--silent", "drift", "--", STACK], { allowFailure: true });
      const withoutSecrets = await drift();
      expect(withoutSecrets.code).toBe(3);
      expect(withoutSecrets.stdout).toMatch(/update kubernetes:core\/v1:ResourceQuota::alpha-alpha-quota: .*spec\.hard\.pods/);
      expect(withoutSecrets.stdout).not.toMatch(/pull-secret/);
      expect(withoutSecrets.stdout).toMatch(/Kubernetes Secrets: the preview role reads no Secret/);
      // Back to the program's state, and then no drift at all with the exclusion.
      await sandbox.pulumi(["up", "--yes", "--refresh", "--skip-preview", "--message", "revert the drift"]);
      expect((await drift()).code).toBe(0);
    },
  );

  step(
    "a preview as a view-only identity (the preview role's rights) shows the per-object diff and can change nothing",
    15 * MINUTE,
    async () => {
      // The preview role's EKS access policy, AmazonEKSViewPolicy, emulated as the EKS User Guide lists it (no Secrets,
      // no writes); `local` binds no group of its (the AWS environments' pipeline readers: pipeline-identities.test.ts).
      await emulateAccessPolicies(sandbox);
      const viewer = principalsKubeconfig(sandbox, { previewer: { policies: ["AmazonEKSViewPolicy"], kubernetesGroups: [] } });
      const asPreviewer = { [PRINCIPAL_ENV]: "previewer" };
      const canPatch = await sandbox.kubectl(["--kubeconfig", viewer, "auth", "can-i", "patch", "resourcequotas", "-n", "alpha"], {
        allowFailure: true,
        env: asPreviewer,
      });
      expect(canPatch.stdout.trim()).toBe("no");
      const quotaPods = async () => (await sandbox.kubectlJson(["get", "resourcequota", "team-quota", "-n", "alpha"])).spec.hard.pods;
      const before = await quotaPods();
      try {
        sandbox.editStackConfig((doc) => {
          doc.setIn(["config", "platform:cluster", "kubeconfig"], viewer);
          doc.setIn(["config", "platform:tenancy", "defaultQuota", "pods"], 14);
        });
        // Its server-side dry runs are forbidden; the provider falls back to the inputs, and the diff is computed from
        // the state anyway (pulumi-kubernetes provider.go, Create/Update with preview, apierrors.IsForbidden).
        const preview = timed("pulumi preview as a view-only identity", await sandbox.pulumi(["preview", "--diff"], { env: asPreviewer }));
        expect(preview.stdout).toMatch(/\[urn=[^\]]*::alpha-alpha-quota\][\s\S]*?~ pods: "10" => "14"/);
        const write = await sandbox.pulumi(["up", "--yes", "--skip-preview", "--message", "a write as the viewer"], {
          allowFailure: true,
          env: asPreviewer,
        });
        expect(write.code).not.toBe(0);
        expect(`${write.stdout}\n${write.stderr}`).toMatch(/forbidden/i);
        expect(await quotaPods()).toBe(before);
      } finally {
        sandbox.git("checkout", "--", `Pulumi.${STACK}.yaml`);
        await sandbox.pulumi(["up", "--yes", "--skip-preview", "--message", "back to the committed program"]);
      }
    },
  );

  step("after everything, a preview proposes no change (idempotency)", 10 * MINUTE, async () => {
    timed("pulumi preview, no change (after rollback and revert)", await sandbox.pulumi(["preview", "--expect-no-changes", "--diff"]));
  });
});

/** `<type> <name>` of a URN (`urn:pulumi:<stack>::<project>::<parent types$>type::name`). */
function typeAndName(urn: string): string {
  const [, , typePath, name] = urn.split("::");
  return `${typePath.split("$").pop()} ${name}`;
}
