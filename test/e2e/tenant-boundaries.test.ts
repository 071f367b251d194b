/**
 * A tenant against its boundaries, on the real `local` stack: a throwaway control plane with real RBAC and
 * admission, the stack deployed by the real engine with two teams (beta granted public ingress), and the CRDs of the
 * kinds teams may create (ServiceMonitor, PodMonitor, Certificate) from the pinned chart archives. As a team's
 * developer and as its admin (impersonated with their OIDC groups), everything a tenant might try beyond its
 * namespaces' limits is refused, each with its message; and what a tenant must do still works. Needs the toolchain
 * (scripts/toolchain.sh); E2E_KEEP=1 keeps the temporary directory and its commands.log.
 */
import { Result } from "./support/commands";
import { Sandbox } from "./support/sandbox";
import { createAs, installTenantCrds, kubectlAs, Person, refusedBy } from "./support/tenant";
import {
  ADMIN,
  ALPHA_DOMAIN,
  backend,
  BETA_DEVELOPER,
  BETA_DOMAIN,
  certificate,
  cronJob,
  deployment,
  DEVELOPER,
  ingress,
  meta,
  pod,
  roleBinding,
  service,
  serviceMonitor,
  TEAMS,
} from "./support/tenant-manifests";
import { REFUSED } from "./support/tenant-refusals";
import { findToolchain, inCi } from "./support/toolchain";

const MINUTE = 60_000;
/** Every attempt goes through authorization and admission as it would for real, and changes nothing if admitted. */
const DRY_RUN = "--dry-run=server";

const toolchain = findToolchain();
const runSuite = toolchain.ok || inCi();

(runSuite ? describe : describe.skip)("a tenant against its boundaries on the local stack (real engine)", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    if (!toolchain.ok) throw new Error(`E2E FAILED: CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")})`);
    sandbox = new Sandbox(toolchain.env);
    await sandbox.initLocalStack(TEAMS);
    sandbox.commit("two teams, beta granted public ingress");
    await sandbox.pulumi(["up", "--yes", "--skip-preview"]);
    await installTenantCrds(sandbox);
    // Something of beta's to reach for: a pod (never run: no node) and a Secret.
    await sandbox.kubectl(["create", "-f", sandbox.writeFile("beta-pod.json", { ...pod(), metadata: { name: "web", namespace: "beta" } })]);
    await sandbox.kubectl(["create", "secret", "generic", "db", "-n", "beta", "--from-literal=password=beta-only"]);
  }, 10 * MINUTE);

  afterAll(async () => {
    if (sandbox) await sandbox.cleanUp(process.env.E2E_KEEP === "1");
  }, 2 * MINUTE);

  const refused = (result: Result, policy: string, message: string) => {
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(refusedBy(policy, message));
  };
  const forbidden = (result: Result, what: RegExp) => {
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/is forbidden: User "[^"]+" cannot/);
    expect(result.stderr).toMatch(what);
  };

  test.each(REFUSED.map((r) => [r.name, r] as const))("refused: %s", async (_, r) => {
    refused(await createAs(sandbox, r.as, r.manifest, { dryRun: true }), r.policy, r.message);
  });

  describe("the namespace's own limits stay the platform's", () => {
    const PLATFORM_OBJECTS = "team-namespaces-platform-objects";

    test("the team admin may not delete or change the network baseline (RBAC lets it manage NetworkPolicies)", async () => {
      refused(
        await kubectlAs(sandbox, ADMIN, ["delete", "networkpolicy", "default-deny-with-platform-access", "-n", "alpha", DRY_RUN]),
        PLATFORM_OBJECTS,
        "may not delete NetworkPolicy default-deny-with-platform-access in alpha: the platform owns team-quota, container-defaults, default-deny-with-platform-access and the team-* RoleBindings of team namespaces, which change only with the team's entry in the stack config",
      );
      refused(
        await kubectlAs(sandbox, ADMIN, [
          "patch",
          "networkpolicy",
          "default-deny-with-platform-access",
          "-n",
          "alpha",
          "--type=json",
          "-p",
          '[{"op":"replace","path":"/spec/egress","value":[{}]}]',
          DRY_RUN,
        ]),
        PLATFORM_OBJECTS,
        "may not update NetworkPolicy default-deny-with-platform-access in alpha",
      );
    });

    test("nor the platform's RoleBindings (RBAC lets it manage RoleBindings), one by one or the whole collection", async () => {
      refused(
        await kubectlAs(sandbox, ADMIN, ["delete", "rolebinding", "team-developer", "-n", "alpha", DRY_RUN]),
        PLATFORM_OBJECTS,
        "may not delete RoleBinding team-developer in alpha",
      );
      // A collection's DELETE is admitted item by item under the request's empty name.
      const collection = await kubectlAs(sandbox, ADMIN, [
        "delete",
        "--raw",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/alpha/rolebindings?dryRun=All",
      ]);
      expect(collection.code).not.toBe(0);
      expect(collection.stderr).toMatch(/may not delete RoleBinding team-[a-z-]+ in alpha: the platform owns/);
    });

    test("the quota and the container defaults are out of a team admin's reach (RBAC)", async () => {
      forbidden(
        await kubectlAs(sandbox, ADMIN, [
          "patch",
          "resourcequota",
          "team-quota",
          "-n",
          "alpha",
          "-p",
          '{"spec":{"hard":{"pods":"1000"}}}',
          DRY_RUN,
        ]),
        /cannot patch resource "resourcequotas" in API group "" in the namespace "alpha"/,
      );
      forbidden(
        await kubectlAs(sandbox, ADMIN, ["delete", "limitrange", "container-defaults", "-n", "alpha", DRY_RUN]),
        /cannot delete resource "limitranges"/,
      );
    });

    test("and the platform itself still changes them", async () => {
      const dryRun = await sandbox.kubectl(["delete", "networkpolicy", "default-deny-with-platform-access", "-n", "alpha", DRY_RUN]);
      expect(dryRun.stdout).toContain("deleted (server dry run)");
    });
  });

  describe("other teams' namespaces are out of reach (RBAC)", () => {
    test("a team admin cannot bind namespace-admin in another team's namespace", async () => {
      forbidden(
        await createAs(sandbox, ADMIN, roleBinding("takeover", "namespace-admin", "beta", ADMIN.user), { dryRun: true }),
        /cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "beta"/,
      );
    });

    test("a developer cannot create there, read Secrets there, or exec and port-forward into its pods", async () => {
      forbidden(
        await kubectlAs(sandbox, DEVELOPER, ["create", "configmap", "planted", "-n", "beta", DRY_RUN]),
        /cannot create resource "configmaps" in API group "" in the namespace "beta"/,
      );
      forbidden(await kubectlAs(sandbox, DEVELOPER, ["get", "secret", "db", "-n", "beta"]), /cannot get resource "secrets"/);
      forbidden(
        await kubectlAs(sandbox, DEVELOPER, [
          "create",
          "--raw",
          "/api/v1/namespaces/beta/pods/web/exec?command=env&stdout=true",
          "-f",
          "/dev/null",
        ]),
        /cannot create resource "pods\/exec" in API group "" in the namespace "beta"/,
      );
      forbidden(
        await kubectlAs(sandbox, DEVELOPER, [
          "create",
          "--raw",
          "/api/v1/namespaces/beta/pods/web/portforward?ports=8080",
          "-f",
          "/dev/null",
        ]),
        /cannot create resource "pods\/portforward" in API group "" in the namespace "beta"/,
      );
    });

    test("no team member may create CertificateRequests, whose names admission cannot read (inside a CSR)", async () => {
      for (const person of [DEVELOPER, ADMIN]) {
        const canI = await kubectlAs(sandbox, person, ["auth", "can-i", "create", "certificaterequests.cert-manager.io", "-n", "alpha"]);
        expect(canI.stdout.trim()).toBe("no");
      }
    });
  });

  describe("what a tenant must still be able to do", () => {
    const admitted = async (person: Person, manifest: object) => {
      const result = await createAs(sandbox, person, manifest, { dryRun: false });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    };

    test("a developer deploys a restricted Deployment (tolerating only Kubernetes' own taints), a Service, a CronJob", async () => {
      await admitted(
        DEVELOPER,
        deployment({ tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" }] }),
      );
      await admitted(DEVELOPER, service());
      await admitted(DEVELOPER, cronJob());
    });

    test("an internal Ingress on its own hosts, in its own group, with its own external-dns name", async () => {
      await admitted(
        DEVELOPER,
        ingress(
          {},
          { "alb.ingress.kubernetes.io/group.name": "alpha", "external-dns.alpha.kubernetes.io/hostname": `www.${ALPHA_DOMAIN}` },
        ),
      );
    });

    test("a team granted public ingress exposes its own host to the internet", async () => {
      const publicIngress = ingress({
        ingressClassName: "alb-public",
        rules: [{ host: BETA_DOMAIN, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }],
        tls: [{ hosts: [BETA_DOMAIN] }],
      });
      await admitted(BETA_DEVELOPER, { ...publicIngress, metadata: { name: "web", namespace: "beta" } });
    });

    test("a Certificate for its own name from an offered issuer, and a ServiceMonitor of its own namespace", async () => {
      await admitted(DEVELOPER, certificate({ dnsNames: [`web.${ALPHA_DOMAIN}`, `*.api.${ALPHA_DOMAIN}`] }));
      await admitted(DEVELOPER, serviceMonitor({}, { namespaceSelector: { matchNames: ["alpha"] } }));
      // Relabelings that keep the target: labels of its own, the scrape path and a query parameter.
      const keepsTheTarget = [
        { sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod" },
        { targetLabel: "__metrics_path__", replacement: "/internal/metrics" },
        { targetLabel: "__param_format", replacement: "prometheus" },
      ];
      await admitted(DEVELOPER, { ...serviceMonitor({ relabelings: keepsTheTarget }), metadata: meta("web-relabelled") });
    });

    test("the team admin adds a NetworkPolicy and binds developer to a colleague", async () => {
      await admitted(ADMIN, {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta("web-from-anywhere-in-alpha"),
        spec: { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [{ podSelector: {} }] }], policyTypes: ["Ingress"] },
      });
      await admitted(ADMIN, roleBinding("carol-develops", "developer", "alpha", "carol@example.com"));
    });
  });
});
