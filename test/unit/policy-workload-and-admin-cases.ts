/**
 * Cases of the workload and cluster-admin policies for the case table of test/unit/policy.test.ts: privileged
 * containers, host paths and the host network outside the platform's namespaces, images from registries not
 * allowed, and cluster-admin (in Kubernetes or through EKS access entries) for anyone but the infra group and the
 * deploy roles.
 */
import { CLUSTER_ROLES } from "../../components/tenancy/roles";
import { Case, FailingCase, resource } from "../policy-cases";
import { container, pod } from "./policy-fixtures";

const deployment = (ns: string | undefined, podSpec: Record<string, any>) =>
  resource("kubernetes:apps/v1:Deployment", {
    metadata: { name: "app", namespace: ns },
    spec: { template: { spec: { containers: [container()], ...podSpec } } },
  });
const cronJob = (ns: string, podSpec: Record<string, any>) =>
  resource("kubernetes:batch/v1:CronJob", {
    metadata: { name: "job", namespace: ns },
    spec: { jobTemplate: { spec: { template: { spec: podSpec } } } },
  });
const clusterRole = (name: string, rules: unknown) =>
  resource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { metadata: { name }, rules });
const binding = (role: string, subjects: { kind: string; name: string }[], type = "ClusterRoleBinding") =>
  resource(`kubernetes:rbac.authorization.k8s.io/v1:${type}`, {
    metadata: { name: `${role}-binding` },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: subjects.map((s) => ({ apiGroup: "rbac.authorization.k8s.io", ...s })),
  });
const group = (name: string) => ({ kind: "Group", name });
const eksAdmin = (principalArn: string, policy = "AmazonEKSClusterAdminPolicy") =>
  resource("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", {
    clusterName: "prod-eks",
    principalArn,
    policyArn: `arn:aws:eks::aws:cluster-access-policy/${policy}`,
    accessScope: { type: "cluster" },
  });

export const WORKLOAD_AND_ADMIN_CASES: Record<string, { pass: Case[]; fail: FailingCase[] }> = {
  "k8s-no-host-access-outside-platform": {
    pass: [
      { name: "an unprivileged Deployment in a team namespace", resources: () => [deployment("alpha", {})] },
      {
        name: "a privileged host-network agent in a platform namespace",
        resources: () => [
          deployment("monitoring", { hostNetwork: true, containers: [container({ securityContext: { privileged: true } })] }),
        ],
      },
      {
        name: "a namespace added to platformNamespaces by config",
        resources: () => [deployment("storage", { hostNetwork: true })],
        config: { platformNamespaces: ["storage"] },
      },
    ],
    fail: [
      {
        name: "a privileged container",
        resources: () => [deployment("alpha", { containers: [container({ securityContext: { privileged: true } })] })],
        expected: /Container "app" is privileged in namespace "alpha"/,
      },
      {
        name: "a privileged init container",
        resources: () => [deployment("alpha", { initContainers: [container({ name: "init", securityContext: { privileged: true } })] })],
        expected: /"init" is privileged/,
      },
      {
        name: "a hostPath volume",
        resources: () => [deployment("alpha", { volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }] })],
        expected: /Volume "docker" mounts a hostPath/,
      },
      {
        name: "hostNetwork in a CronJob",
        resources: () => [cronJob("alpha", { hostNetwork: true, containers: [container()] })],
        expected: /uses the host network in namespace "alpha"/,
      },
      {
        name: "no namespace means the default namespace",
        resources: () => [deployment(undefined, { hostNetwork: true })],
        expected: /namespace "default"/,
      },
    ],
  },
  "k8s-allowed-registries": {
    pass: [
      {
        name: "ECR and quay.io",
        resources: () => [
          pod("alpha", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/nginx:1.27"),
          pod("alpha", "quay.io/prometheus/node-exporter:v1.9.1"),
        ],
      },
      {
        name: "a registry allowed by config",
        resources: () => [pod("alpha", "registry.example.com/app:1")],
        config: { allowedRegistries: ["registry.example.com"] },
      },
    ],
    fail: [
      { name: "Docker Hub without registry", resources: () => [pod("alpha", "nginx:1.27")], expected: /image nginx:1.27 from docker.io/ },
      {
        name: "Docker Hub by name",
        resources: () => [deployment("alpha", { containers: [container({ image: "docker.io/library/redis:7" })] })],
        expected: /from docker.io/,
      },
      {
        name: "ECR is no longer allowed when config lists other registries",
        resources: () => [deployment("alpha", {})],
        config: { allowedRegistries: ["quay.io"] },
        expected: /dkr.ecr/,
      },
    ],
  },
  "k8s-cluster-admin-only-infra": {
    pass: [
      {
        name: "the platform's wildcard role bound to the infra group, and team roles bound to teams",
        resources: () => [
          ...Object.entries(CLUSTER_ROLES).map(([name, rules]) => clusterRole(name, rules)),
          binding("platform-admin", [group("oidc:platform-infra")]),
          binding("developer", [group("oidc:team-alpha")], "RoleBinding"),
        ],
      },
      {
        name: "another infra group by config",
        resources: () => [binding("cluster-admin", [group("oidc:sre")])],
        config: { adminGroups: ["oidc:sre"] },
      },
      {
        name: "EKS cluster-admin for the infra and deploy roles, view for anyone",
        resources: () => [
          eksAdmin("arn:aws:iam::111111111111:role/infra-admin"),
          eksAdmin("arn:aws:iam::111111111111:role/platform-deployer"),
          eksAdmin("arn:aws:iam::111111111111:role/support", "AmazonEKSViewPolicy"),
        ],
      },
    ],
    fail: [
      {
        name: "cluster-admin to a team",
        resources: () => [binding("cluster-admin", [group("oidc:team-alpha")])],
        expected:
          /ClusterRoleBinding "cluster-admin-binding" grants ClusterRole cluster-admin \(full control: every verb on every resource\) to Group oidc:team-alpha/,
      },
      {
        name: "a wildcard ClusterRole of the stack to a user, in a namespace",
        resources: () => [
          clusterRole("platform-admin", CLUSTER_ROLES["platform-admin"]),
          binding("platform-admin", [{ kind: "User", name: "alice@example.com" }], "RoleBinding"),
        ],
        expected: /RoleBinding .* to User alice@example.com/,
      },
      {
        name: "the infra group without its OIDC prefix",
        resources: () => [binding("cluster-admin", [group("platform-infra")])],
        expected: /Group platform-infra;/,
      },
      {
        name: "EKS cluster-admin for another role",
        resources: () => [eksAdmin("arn:aws:iam::111111111111:role/ci-runner")],
        expected: /makes arn:aws:iam::111111111111:role\/ci-runner cluster-admin/,
      },
      {
        name: "EKS cluster-admin for a look-alike role path",
        resources: () => [eksAdmin("arn:aws:iam::111111111111:role/team/infra-admin")],
        expected: /role\/team\/infra-admin cluster-admin/,
      },
    ],
  },
};
