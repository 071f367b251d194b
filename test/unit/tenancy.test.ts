import { readStackConfig, RecordedResource, runStack, StackRun } from "../../mock-engine";
import { PLATFORM_NAMESPACES } from "../../config/rules-tenancy";
import { TeamConfig, teamNamespaces } from "../../config/sections/tenancy";
import { runsBeforeAll } from "../stack-runs";

const STACKS = ["e2e", "stage", "prod", "admin", "local"] as const;
const runs = runsBeforeAll(STACKS, 60_000);

const NAMESPACE = "kubernetes:core/v1:Namespace";
const QUOTA = "kubernetes:core/v1:ResourceQuota";
const LIMITS = "kubernetes:core/v1:LimitRange";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";

/** The namespaces a stack file gives its teams. */
function stackNamespaces(stack: string): string[] {
  return (readStackConfig(stack)["platform:teams"] as TeamConfig[]).flatMap(teamNamespaces);
}

function inNamespace(run: StackRun, type: string, namespace: string) {
  return run.ofType(type).filter((r) => r.inputs.metadata?.namespace === namespace);
}

describe.each(STACKS)("%s", (stack) => {
  const run = () => runs[stack];
  const config = readStackConfig(stack);
  const prefix: string = config["platform:identity"].oidc.groupsPrefix;

  test("every team namespace has pod security labels, quota, default limits and the network baseline", () => {
    for (const namespace of stackNamespaces(stack)) {
      const ns = run()
        .ofType(NAMESPACE)
        .find((r) => r.inputs.metadata.name === namespace)!;
      expect(ns.inputs.metadata.labels).toMatchObject({
        "pod-security.kubernetes.io/enforce": config["platform:tenancy"].podSecurity,
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "platform.example.io/environment": stack,
      });

      const [quota] = inNamespace(run(), QUOTA, namespace);
      expect(Object.keys(quota.inputs.spec.hard)).toEqual(
        expect.arrayContaining(["pods", "services", "services.loadbalancers", "secrets", "configmaps", "persistentvolumeclaims"]),
      );
      const [limits] = inNamespace(run(), LIMITS, namespace);
      expect(limits.inputs.spec.limits[0]).toMatchObject({
        type: "Container",
        defaultRequest: expect.any(Object),
        default: expect.any(Object),
      });

      const [policy] = inNamespace(run(), NETPOL, namespace);
      expect(policy.inputs.spec.podSelector).toEqual({});
      expect(policy.inputs.spec.policyTypes).toEqual(["Ingress", "Egress"]);
      expect(policy.inputs.spec.egress).toContainEqual({
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      });
      expect(policy.inputs.spec.ingress).toContainEqual({
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
      });
    }
  });

  test("compute quota appears exactly where the config sets it", () => {
    const defaults = config["platform:tenancy"].defaultQuota;
    for (const team of config["platform:teams"] as TeamConfig[]) {
      const cpu = team.quota?.requestsCpu ?? defaults.requestsCpu;
      const loadBalancers = team.quota?.loadBalancers ?? defaults.loadBalancers;
      for (const namespace of teamNamespaces(team)) {
        const hard = inNamespace(run(), QUOTA, namespace)[0].inputs.spec.hard;
        expect(hard["requests.cpu"]).toEqual(cpu);
        expect(hard["services.loadbalancers"]).toEqual(String(loadBalancers));
      }
    }
  });

  test("every binding's subject is a configured group, with the OIDC prefix", () => {
    const groups = new Set<string>([config["platform:identity"].infraGroup, config["platform:identity"].auditorGroup]);
    for (const team of config["platform:teams"] as TeamConfig[]) {
      Object.values(team.groups)
        .flat()
        .forEach((g) => groups.add(g));
    }
    const bindings = [...run().ofType(ROLE_BINDING), ...run().ofType(CLUSTER_ROLE_BINDING)];
    // Except a team's CI group (team-ci-deploy, test/unit/team-ci.test.ts), which is an EKS access entry's, not a person's.
    const personal = (b: RecordedResource) => b.inputs.metadata.name !== "team-ci-deploy";
    const platformBindings = bindings.filter(
      (b) =>
        (b.inputs.metadata.labels?.["app.kubernetes.io/managed-by"] === "pulumi" && b.name.startsWith("rbac-")) ||
        (b.type === ROLE_BINDING && b.inputs.metadata.name.startsWith("team-") && personal(b)),
    );
    expect(platformBindings.length).toBeGreaterThan(0);
    for (const binding of platformBindings) {
      for (const subject of binding.inputs.subjects) {
        expect(subject.kind).toBe("Group");
        expect(subject.name.startsWith(prefix)).toBe(true);
        expect(groups.has(subject.name.slice(prefix.length))).toBe(true);
      }
    }
  });

  test("cluster-wide bindings: full rights only for the infra group, read-without-secrets for auditors", () => {
    const byRole = Object.fromEntries(
      run()
        .ofType(CLUSTER_ROLE_BINDING)
        .filter((b) => b.name.startsWith("rbac-"))
        .map((b) => [b.inputs.roleRef.name, b.inputs.subjects]),
    );
    expect(byRole).toEqual({
      "platform-admin": [
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: `${prefix}${config["platform:identity"].infraGroup}` },
      ],
      auditor: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: `${prefix}${config["platform:identity"].auditorGroup}` }],
    });
    const clusterAdmin = run()
      .ofType(CLUSTER_ROLE_BINDING)
      .filter((b) => ["cluster-admin", "platform-admin"].includes(b.inputs.roleRef.name));
    for (const binding of clusterAdmin)
      expect(binding.inputs.subjects.map((s: { name: string }) => s.name)).toEqual([`${prefix}${config["platform:identity"].infraGroup}`]);
  });

  test("team roles name every verb and resource (no wildcards) and only auditors and admins are cluster-wide", () => {
    const roles = Object.fromEntries(
      run()
        .ofType(ROLE)
        .filter((r) => r.name.startsWith("rbac-"))
        .map((r) => [r.inputs.metadata.name, r.inputs.rules]),
    );
    expect(Object.keys(roles).sort()).toEqual(["auditor", "developer", "namespace-admin", "platform-admin", "viewer"]);
    for (const name of ["namespace-admin", "developer", "viewer", "auditor"]) {
      for (const rule of roles[name]) {
        expect([...rule.verbs, ...rule.resources, ...rule.apiGroups]).not.toContain("*");
      }
    }
    const readsSecrets = (name: string) =>
      roles[name].some((r: { apiGroups: string[]; resources: string[] }) => r.apiGroups.includes("") && r.resources.includes("secrets"));
    expect(readsSecrets("auditor")).toBe(false);
    expect(readsSecrets("viewer")).toBe(false);
    // Developers may manage Secrets, but only through RoleBindings, i.e. in their own namespaces.
    expect(readsSecrets("developer")).toBe(true);
    const teamRoleClusterBindings = run()
      .ofType(CLUSTER_ROLE_BINDING)
      .filter((b) => ["developer", "namespace-admin", "viewer"].includes(b.inputs.roleRef.name));
    expect(teamRoleClusterBindings).toEqual([]);
  });

  test("team bindings live in the team's own namespaces", () => {
    const owned = new Set(stackNamespaces(stack));
    const teamBindings = run()
      .ofType(ROLE_BINDING)
      .filter((b) => b.inputs.metadata.name.startsWith("team-"));
    // One per group kind the team fills, and one for the team's CI role where the team has CI.
    expect(teamBindings.length).toBe(
      (config["platform:teams"] as TeamConfig[]).reduce(
        (sum, t) => sum + teamNamespaces(t).length * (Object.values(t.groups).filter((g) => g.length > 0).length + (t.ci ? 1 : 0)),
        0,
      ),
    );
    for (const binding of teamBindings) expect(owned.has(binding.inputs.metadata.namespace)).toBe(true);
  });
});

test("registry credentials become a dockerconfigjson pull secret on every team namespace's default ServiceAccount", async () => {
  const run = await runStack("local", {
    configure: (c) => (c["platform:registries"] = { pullCredentials: [{ server: "quay.io", username: "example+puller" }] }),
    secrets: { "platform:registryPasswords": { "quay.io": "s3cr3t-token" } },
  });
  for (const namespace of ["alpha", "beta", "beta-jobs"]) {
    const [secret] = inNamespace(run, "kubernetes:core/v1:Secret", namespace);
    expect(secret.inputs.type).toBe("kubernetes.io/dockerconfigjson");
    expect(JSON.parse(secret.inputs.stringData[".dockerconfigjson"])).toEqual({
      auths: {
        "quay.io": {
          username: "example+puller",
          password: "s3cr3t-token",
          auth: Buffer.from("example+puller:s3cr3t-token").toString("base64"),
        },
      },
    });
    const [patch] = inNamespace(run, "kubernetes:core/v1:ServiceAccountPatch", namespace);
    expect(patch.inputs.metadata.name).toBe("default");
    expect(patch.inputs.imagePullSecrets).toEqual([{ name: secret.inputs.metadata.name }]);
  }
});

test("without registry credentials no pull secret is made", () => {
  expect(runs.local.ofType("kubernetes:core/v1:Secret")).toEqual([]);
});

test("every namespace the platform itself creates is reserved from teams by the config rules", () => {
  for (const run of Object.values(runs)) {
    const platformNamespaces = run
      .ofType("kubernetes:core/v1:Namespace")
      .filter((ns) => !ns.inputs.metadata.labels?.["platform.example.io/team"])
      .map((ns) => ns.inputs.metadata.name);
    for (const namespace of platformNamespaces) expect(PLATFORM_NAMESPACES).toContain(namespace);
  }
});
