/**
 * The policy pack's policies, called directly (the pack's server is never started): every policy has
 * passing and failing cases, and the per-environment configs change levels and behaviour.
 */
import { BOOTSTRAP_ACCESS_TAG } from "../../config/rules-delivery";
import * as fs from "fs";
import * as path from "path";
import type { PolicyPackConfig, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { containerDefaults, networkBaseline, podSecurityLabels, quotaHard } from "../../components/tenancy/baseline";
import { CLUSTER_ROLES } from "../../components/tenancy/roles";
import { PLATFORM_NAMESPACES, RESERVED_NAMESPACES } from "../../config/rules-tenancy";
import { ENVIRONMENTS } from "../../config/sections/environment";
import {
  enforcementLevelOf,
  evaluate,
  policyResources,
  resourceValidationArgs,
  ResourceSnapshot,
  stackValidationArgs,
} from "../../policy/evaluate";
import { POLICIES } from "../../policy/policies";
import { DEFAULT_PLATFORM_NAMESPACES, registryOf } from "../../policy/policies/kubernetes/workloads";
import { Case, FailingCase, nextId, resource } from "../policy-cases";
import { ACCESS_AND_COST_CASES } from "./policy-access-and-cost-cases";
import { ESCALATION_CASES } from "./policy-escalation-cases";

const POLICY_DIR = path.resolve(__dirname, "../../policy");
const byName = new Map(POLICIES.map((p) => [p.name, p]));

function policy(name: string) {
  const found = byName.get(name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
}

/** Runs one policy over the resources (each resource for a resource policy, all at once for a stack policy). */
async function violations(name: string, resources: ResourceSnapshot[], config: Record<string, unknown> = {}): Promise<string[]> {
  const p = policy(name);
  const linked = policyResources(resources);
  const found: string[] = [];
  const report = (message: string) => found.push(message);
  const getConfig = <T extends object>() => config as T;
  if ("validateStack" in p) {
    await (p as StackValidationPolicy).validateStack(stackValidationArgs(linked, getConfig), report);
  } else {
    for (const resource of linked) {
      for (const validate of [(p as ResourceValidationPolicy).validateResource].flat())
        await validate?.(resourceValidationArgs(resource, getConfig), report);
    }
  }
  return found;
}

// Kubernetes fixtures, built from the tenancy component's own specs where it has them.
const TEAM_LABEL = "platform.example.io/team";
const namespace = (name: string, labels: Record<string, string> = {}) =>
  resource("kubernetes:core/v1:Namespace", { metadata: { name, labels } });
const teamNs = (name: string, labels: Record<string, string> = podSecurityLabels("restricted")) =>
  namespace(name, { [TEAM_LABEL]: "alpha", ...labels });
const QUOTA = { pods: 10, services: 5, loadBalancers: 0, secrets: 10, configMaps: 10, persistentVolumeClaims: 2 };
const quota = (ns: string, loadBalancers = 0) =>
  resource("kubernetes:core/v1:ResourceQuota", {
    metadata: { name: "team-quota", namespace: ns },
    spec: { hard: quotaHard({ ...QUOTA, loadBalancers }, true) },
  });
const limitRange = (ns: string) =>
  resource("kubernetes:core/v1:LimitRange", {
    metadata: { name: "container-defaults", namespace: ns },
    spec: containerDefaults({ defaultRequest: { cpu: "50m", memory: "64Mi" }, default: { cpu: "200m", memory: "256Mi" } }),
  });
const networkPolicy = (
  ns: string,
  spec: Record<string, any> = networkBaseline({
    team: "alpha",
    monitoringNamespace: "monitoring",
    ingressNamespace: "ingress",
    loadBalancerSources: [],
    egress: [],
  }),
) =>
  resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
    metadata: { name: "default-deny-with-platform-access", namespace: ns },
    spec,
  });
const baseline = (ns: string) => [teamNs(ns), quota(ns), limitRange(ns), networkPolicy(ns)];

const container = (extra: Record<string, any> = {}) => ({
  name: "app",
  image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.0.0",
  ...extra,
});
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
const pod = (ns: string, image: string) =>
  resource("kubernetes:core/v1:Pod", { metadata: { name: "p", namespace: ns }, spec: { containers: [container({ image })] } });

const service = (ns: string, type = "LoadBalancer") =>
  resource("kubernetes:core/v1:Service", { metadata: { name: `svc-${nextId()}`, namespace: ns }, spec: { type } });
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

// AWS fixtures.
const eks = (extra: Record<string, any> = {}) =>
  resource("aws:eks/cluster:Cluster", {
    roleArn: "arn:aws:iam::111111111111:role/prod-eks",
    encryptionConfig: { provider: { keyArn: "arn:aws:kms:eu-west-1:111111111111:key/1" }, resources: ["secrets"] },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    upgradePolicy: { supportType: "STANDARD" },
    ...extra,
    vpcConfig: { subnetIds: ["subnet-1"], endpointPrivateAccess: true, endpointPublicAccess: false, ...extra.vpcConfig },
  });
const launchTemplate = (httpTokens?: string) =>
  resource("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: { httpEndpoint: "enabled", httpTokens } });
const nodeGroup = (launchTemplate?: unknown) => resource("aws:eks/nodeGroup:NodeGroup", { clusterName: "prod", launchTemplate });
const publicEndpoint = { vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.7/32"] } };
const DAY_MS = 24 * 60 * 60 * 1000;
/** The tag the program sets while admin's first deployment may use a public endpoint (config/rules-delivery.ts). */
const bootstrapUntil = (fromNow: number) => ({ [BOOTSTRAP_ACCESS_TAG]: new Date(Date.now() + fromNow).toISOString() });

const bucket = (name = "prod-backups") => resource("aws:s3/bucket:Bucket", { bucket: name }, { name });
/** A bucket's companion points at it by id, so (as in the engine) it depends on the bucket. */
const companion = (type: string, of: ResourceSnapshot, props: Record<string, any>) =>
  resource(`aws:s3/${type}:${type[0].toUpperCase()}${type.slice(1)}`, { bucket: `${of.name}-id`, ...props }, { dependencies: [of.urn] });
const encryption = (of: ResourceSnapshot, sseAlgorithm: string | null = "aws:kms") =>
  companion("bucketServerSideEncryptionConfiguration", of, {
    rules: [{ applyServerSideEncryptionByDefault: sseAlgorithm ? { sseAlgorithm } : undefined }],
  });
const versioning = (of: ResourceSnapshot, status = "Enabled") => companion("bucketVersioning", of, { versioningConfiguration: { status } });
const ALL_BLOCKED = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const publicAccessBlock = (of: ResourceSnapshot, settings: Record<string, boolean> = ALL_BLOCKED) =>
  companion("bucketPublicAccessBlock", of, settings);

const document = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const SCOPED = { Sid: "Backups", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::prod-backups/*" };
const WILDCARD = { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" };
const iamPolicy = (policyDocument: unknown) => resource("aws:iam/policy:Policy", { policy: policyDocument });
const kmsKey = (props: Record<string, unknown>) => resource("aws:kms/key:Key", { description: "k", ...props });

/** For each policy: resources it accepts, and resources it rejects with the message expected. */
const oidcProvider = (prefixes: Record<string, string>) =>
  resource("aws:eks/identityProviderConfig:IdentityProviderConfig", {
    clusterName: "prod-eks",
    oidc: { identityProviderConfigName: "dex", issuerUrl: "https://dex.example.com", clientId: "kubernetes", ...prefixes },
  });

const CASES: Record<string, { pass: Case[]; fail: FailingCase[] }> = {
  "k8s-team-namespace-baseline": {
    pass: [
      { name: "a team namespace with the tenancy component's quota, limits and network baseline", resources: () => baseline("alpha") },
      { name: "a platform namespace needs none of them", resources: () => [namespace("monitoring")] },
    ],
    fail: [
      {
        name: "no ResourceQuota",
        resources: () => baseline("alpha").filter((r) => !r.type.endsWith("ResourceQuota")),
        expected: /"alpha" of team alpha lacks its ResourceQuota\.$/,
      },
      {
        name: "quota in another namespace",
        resources: () => [...baseline("alpha").filter((r) => !r.type.endsWith("ResourceQuota")), quota("beta")],
        expected: /lacks its ResourceQuota/,
      },
      {
        name: "no LimitRange",
        resources: () => baseline("alpha").filter((r) => !r.type.endsWith("LimitRange")),
        expected: /lacks its LimitRange\.$/,
      },
      {
        name: "a NetworkPolicy for Ingress only",
        resources: () => [
          teamNs("alpha"),
          quota("alpha"),
          limitRange("alpha"),
          networkPolicy("alpha", { podSelector: {}, policyTypes: ["Ingress"] }),
        ],
        expected: /lacks its default-deny NetworkPolicy/,
      },
      {
        name: "a NetworkPolicy selecting some pods only",
        resources: () => [
          teamNs("alpha"),
          quota("alpha"),
          limitRange("alpha"),
          networkPolicy("alpha", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress", "Egress"] }),
        ],
        expected: /lacks its default-deny NetworkPolicy/,
      },
      {
        name: "a NetworkPolicy with an allow-everything rule",
        resources: () => [
          teamNs("alpha"),
          quota("alpha"),
          limitRange("alpha"),
          networkPolicy("alpha", { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}] }),
        ],
        expected: /lacks its default-deny NetworkPolicy/,
      },
    ],
  },
  "k8s-team-namespace-pod-security": {
    pass: [
      { name: "restricted", resources: () => [teamNs("alpha")] },
      { name: "baseline", resources: () => [teamNs("alpha", podSecurityLabels("baseline"))] },
      { name: "a platform namespace is not a team namespace", resources: () => [namespace("logging", podSecurityLabels("privileged"))] },
    ],
    fail: [
      {
        name: "no enforce label",
        resources: () => [teamNs("alpha", {})],
        expected: /"alpha" of team alpha has no pod-security.kubernetes.io\/enforce label/,
      },
      {
        name: "privileged",
        resources: () => [teamNs("alpha", podSecurityLabels("privileged"))],
        expected: /enforces Pod Security "privileged"/,
      },
      {
        name: "baseline where config allows restricted only",
        resources: () => [teamNs("alpha", podSecurityLabels("baseline"))],
        config: { allowedEnforceLevels: ["restricted"] },
        expected: /"baseline"/,
      },
    ],
  },
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
  "k8s-team-load-balancers": {
    pass: [
      {
        name: "a LoadBalancer granted by the namespace's quota",
        resources: () => [teamNs("payments"), quota("payments", 1), service("payments")],
      },
      { name: "ClusterIP Services", resources: () => [teamNs("alpha"), quota("alpha"), service("alpha", "ClusterIP")] },
      { name: "a LoadBalancer outside team namespaces", resources: () => [teamNs("alpha"), namespace("ingress"), service("ingress")] },
    ],
    fail: [
      {
        name: "a LoadBalancer with quota 0",
        resources: () => [teamNs("alpha"), quota("alpha"), service("alpha")],
        expected: /LoadBalancer in team namespace "alpha", which has 1 and is granted 0/,
      },
      {
        name: "more LoadBalancers than granted",
        resources: () => [teamNs("alpha"), quota("alpha", 1), service("alpha"), service("alpha")],
        expected: /has 2 and is granted 1/,
      },
      { name: "a LoadBalancer without any quota", resources: () => [teamNs("alpha"), service("alpha")], expected: /is granted 0/ },
    ],
  },
  "aws-eks-oidc-prefixes": {
    pass: [{ name: "both prefixed", resources: () => [oidcProvider({ usernamePrefix: "oidc:", groupsPrefix: "oidc:" })] }],
    fail: [
      { name: "no username prefix", resources: () => [oidcProvider({ groupsPrefix: "oidc:" })], expected: /sets no usernamePrefix/ },
      {
        name: "the system: prefix",
        resources: () => [oidcProvider({ usernamePrefix: "system:", groupsPrefix: "oidc:" })],
        expected: /usernamePrefix is system:, which Kubernetes reserves/,
      },
    ],
  },
  "aws-eks-secrets-encryption": {
    pass: [{ name: "a KMS key for secrets", resources: () => [eks()] }],
    fail: [
      { name: "no encryptionConfig", resources: () => [eks({ encryptionConfig: undefined })], expected: /does not encrypt Secrets/ },
      {
        name: "encryptionConfig without secrets",
        resources: () => [eks({ encryptionConfig: { provider: { keyArn: "k" }, resources: [] } })],
        expected: /does not encrypt Secrets/,
      },
    ],
  },
  "aws-eks-control-plane-logs": {
    pass: [
      { name: "all five log types", resources: () => [eks()] },
      {
        name: "the log types config requires",
        resources: () => [eks({ enabledClusterLogTypes: ["api", "audit"] })],
        config: { requiredLogTypes: ["audit", "api"] },
      },
    ],
    fail: [
      {
        name: "no logs",
        resources: () => [eks({ enabledClusterLogTypes: undefined })],
        expected: /does not log api, audit, authenticator, controllerManager, scheduler/,
      },
      {
        name: "audit missing",
        resources: () => [eks({ enabledClusterLogTypes: ["api", "authenticator", "controllerManager", "scheduler"] })],
        expected: /does not log audit \(/,
      },
    ],
  },
  "aws-eks-private-endpoint": {
    pass: [
      { name: "private only", resources: () => [eks()] },
      { name: "public during admin's bootstrap allowance", resources: () => [eks({ ...publicEndpoint, tags: bootstrapUntil(DAY_MS) })] },
    ],
    fail: [
      { name: "public endpoint", resources: () => [eks(publicEndpoint)], expected: /endpoint is public/ },
      {
        name: "public after the bootstrap allowance ended",
        resources: () => [eks({ ...publicEndpoint, tags: bootstrapUntil(-60_000) })],
        expected: /endpoint is public/,
      },
      {
        name: "a bootstrap allowance beyond seven days",
        resources: () => [eks({ ...publicEndpoint, tags: bootstrapUntil(8 * DAY_MS) })],
        expected: /endpoint is public/,
      },
      {
        name: "AWS defaults (public, not private)",
        resources: () => [eks({ vpcConfig: { endpointPrivateAccess: undefined, endpointPublicAccess: undefined } })],
        expected: /no private API endpoint/,
      },
    ],
  },
  "aws-eks-public-endpoint-restricted": {
    pass: [
      { name: "private only", resources: () => [eks()] },
      {
        name: "public for listed CIDRs",
        resources: () => [eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } })],
      },
    ],
    fail: [
      {
        name: "public without CIDRs (AWS opens it to all)",
        resources: () => [eks({ vpcConfig: { endpointPublicAccess: true } })],
        expected: /open to the whole internet/,
      },
      {
        name: "public to 0.0.0.0/0",
        resources: () => [eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } })],
        expected: /open to the whole internet/,
      },
    ],
  },
  "aws-imdsv2-required": {
    pass: [
      {
        name: "a launch template requiring tokens, used by the node group",
        resources: () => [launchTemplate("required"), nodeGroup({ id: "lt-1", version: "1" })],
      },
    ],
    fail: [
      { name: "optional tokens", resources: () => [launchTemplate("optional")], expected: /accepts IMDSv1/ },
      {
        name: "no metadata options",
        resources: () => [resource("aws:ec2/instance:Instance", { instanceType: "t3.micro" })],
        expected: /accepts IMDSv1/,
      },
      { name: "a node group on EKS's default launch template", resources: () => [nodeGroup()], expected: /has no launch template/ },
    ],
  },
  "aws-s3-bucket-encryption": {
    pass: [
      {
        name: "SSE-KMS by dependency",
        resources: () => {
          const b = bucket();
          return [b, encryption(b)];
        },
      },
      {
        name: "SSE by literal bucket name",
        resources: () => [
          bucket("logs"),
          resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", {
            bucket: "logs",
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
          }),
        ],
      },
    ],
    fail: [
      {
        name: "no encryption resource",
        resources: () => [bucket()],
        expected: /^Bucket prod-backups: no BucketServerSideEncryptionConfiguration/,
      },
      {
        name: "a rule without a default",
        resources: () => {
          const b = bucket();
          return [b, encryption(b, null)];
        },
        expected: /no BucketServerSideEncryptionConfiguration/,
      },
      {
        name: "another bucket's encryption",
        resources: () => {
          const a = bucket("a");
          return [a, bucket("b"), encryption(a)];
        },
        expected: /^Bucket b:/,
      },
    ],
  },
  "aws-s3-bucket-versioning": {
    pass: [
      {
        name: "Enabled",
        resources: () => {
          const b = bucket();
          return [b, versioning(b)];
        },
      },
      {
        name: "Enabled, found through the bucket property's dependencies",
        resources: () => {
          const b = bucket();
          const v = versioning(b);
          return [b, { ...v, dependencies: [], propertyDependencies: { bucket: [b.urn] } }];
        },
      },
    ],
    fail: [
      {
        name: "Suspended",
        resources: () => {
          const b = bucket();
          return [b, versioning(b, "Suspended")];
        },
        expected: /no BucketVersioning/,
      },
      { name: "no versioning resource", resources: () => [bucket()], expected: /no BucketVersioning/ },
    ],
  },
  "aws-s3-bucket-public-access-block": {
    pass: [
      {
        name: "all four blocked",
        resources: () => {
          const b = bucket();
          return [b, publicAccessBlock(b)];
        },
      },
    ],
    fail: [
      {
        name: "public policies allowed",
        resources: () => {
          const b = bucket();
          return [b, publicAccessBlock(b, { ...ALL_BLOCKED, blockPublicPolicy: false })];
        },
        expected: /no BucketPublicAccessBlock/,
      },
      { name: "no block", resources: () => [bucket()], expected: /no BucketPublicAccessBlock/ },
    ],
  },
  "aws-iam-no-wildcard-admin": {
    pass: [
      { name: "a scoped policy", resources: () => [iamPolicy(document(SCOPED))] },
      { name: "Deny on everything", resources: () => [iamPolicy(document({ ...WILDCARD, Effect: "Deny" }))] },
      {
        name: "a service's own wildcard on its resources",
        resources: () => [iamPolicy(document({ Effect: "Allow", Action: "ec2:*", Resource: "*" }))],
      },
      {
        name: "a trust policy is not a grant",
        resources: () => [resource("aws:iam/role:Role", { assumeRolePolicy: document({ Effect: "Allow", Action: "*", Resource: "*" }) })],
      },
    ],
    fail: [
      {
        name: "Action * on Resource * in a JSON string",
        resources: () => [iamPolicy(document(SCOPED, WILDCARD))],
        expected: /Statement Everything allows every action on every resource/,
      },
      {
        name: "a document object with lists",
        resources: () => [
          resource("aws:iam/rolePolicy:RolePolicy", {
            role: "r",
            policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["*:*"], Resource: ["*"] }] },
          }),
        ],
        expected: /\(no Sid\) allows every action/,
      },
      {
        name: "a role's inline policy",
        resources: () => [
          resource("aws:iam/role:Role", { assumeRolePolicy: "{}", inlinePolicies: [{ name: "all", policy: document(WILDCARD) }] }),
        ],
        expected: /allows every action/,
      },
      {
        name: "AdministratorAccess attached",
        resources: () => [
          resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
            role: "r",
            policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
          }),
        ],
        expected: /AdministratorAccess is attached/,
      },
    ],
  },
  "aws-kms-key-rotation": {
    pass: [
      { name: "rotation on", resources: () => [kmsKey({ enableKeyRotation: true })] },
      {
        name: "an asymmetric key cannot rotate",
        resources: () => [kmsKey({ customerMasterKeySpec: "RSA_3072", keyUsage: "SIGN_VERIFY" })],
      },
    ],
    fail: [
      { name: "rotation unset", resources: () => [kmsKey({})], expected: /does not rotate/ },
      { name: "rotation off", resources: () => [kmsKey({ enableKeyRotation: false })], expected: /does not rotate/ },
    ],
  },
};
for (const table of [ACCESS_AND_COST_CASES, ESCALATION_CASES]) {
  for (const [name, cases] of Object.entries(table)) {
    CASES[name] = { pass: [...(CASES[name]?.pass ?? []), ...cases.pass], fail: [...(CASES[name]?.fail ?? []), ...cases.fail] };
  }
}

test("every policy has passing and failing cases, and only policies of the pack have cases", () => {
  expect(Object.keys(CASES).sort()).toEqual(POLICIES.map((p) => p.name).sort());
  for (const { pass, fail } of Object.values(CASES)) {
    expect(pass.length).toBeGreaterThan(0);
    expect(fail.length).toBeGreaterThan(0);
  }
});

describe.each(Object.entries(CASES))("%s", (name, { pass, fail }) => {
  test.each(pass.map((c) => [c.name, c] as const))("accepts: %s", async (_, c) => {
    expect(await violations(name, c.resources(), c.config)).toEqual([]);
  });
  test.each(fail.map((c) => [c.name, c] as const))("rejects: %s", async (_, c) => {
    const found = await violations(name, c.resources(), c.config);
    expect(found.length).toBeGreaterThan(0);
    expect(found).toContainEqual(expect.stringMatching(c.expected));
  });
});

describe("the pack", () => {
  test("policy names are unique and accepted by the engine, with descriptions; config schemas leave the level to the engine", () => {
    expect(new Set(POLICIES.map((p) => p.name)).size).toBe(POLICIES.length);
    for (const p of POLICIES) {
      expect(p.name).toMatch(/^(k8s|aws)-[a-z0-9-]+$/);
      expect(p.description.length).toBeGreaterThan(20);
      expect(Object.keys(p.configSchema?.properties ?? {})).not.toContain("enforcementLevel");
    }
  });

  test("the platform namespaces of config/rules-tenancy.ts, and only those, are DEFAULT_PLATFORM_NAMESPACES in policy/policies/kubernetes/workloads.ts", () => {
    const program = [...RESERVED_NAMESPACES.filter((ns) => ns !== "default"), ...PLATFORM_NAMESPACES];
    expect({
      missingFromPack: program.filter((ns) => !DEFAULT_PLATFORM_NAMESPACES.includes(ns)),
      notInProgram: DEFAULT_PLATFORM_NAMESPACES.filter((ns) => !program.includes(ns)),
    }).toEqual({
      missingFromPack: [],
      notInProgram: [],
    });
  });

  test("image references resolve to their registry host", () => {
    expect(registryOf("nginx")).toBe("docker.io");
    expect(registryOf("library/nginx:1.27")).toBe("docker.io");
    expect(registryOf("localhost:5000/app:dev")).toBe("localhost:5000");
    expect(registryOf("111111111111.dkr.ecr.eu-west-1.amazonaws.com/quay/jetstack/cert-manager-controller@sha256:abc")).toBe(
      "111111111111.dkr.ecr.eu-west-1.amazonaws.com",
    );
  });

  test("the pack depends on the same @pulumi/pulumi as the program and runs as a Node.js policy pack", () => {
    const pack = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
    const root = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "../package.json"), "utf8"));
    expect(pack.dependencies["@pulumi/pulumi"]).toBe(root.dependencies["@pulumi/pulumi"]);
    expect(pack.dependencies["@pulumi/policy"]).toBe("1.21.0");
    expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
  });
});

const environmentConfig = (stack: string): PolicyPackConfig =>
  JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "config", `${stack}.json`), "utf8"));

describe("per-environment policy config (policy/config/<stack>.json)", () => {
  test.each([...ENVIRONMENTS])("%s: names only policies of the pack, with valid levels and config keys of their schemas", (stack) => {
    const config = environmentConfig(stack);
    const levels = ["advisory", "mandatory", "remediate", "disabled"];
    for (const [key, entry] of Object.entries(config)) {
      if (key === "all") {
        expect(levels).toContain(entry);
        continue;
      }
      const p = policy(key);
      if (typeof entry === "string") {
        expect(levels).toContain(entry);
      } else {
        const { enforcementLevel, ...values } = entry;
        if (enforcementLevel !== undefined) expect(levels).toContain(enforcementLevel);
        expect(Object.keys(p.configSchema?.properties ?? {})).toEqual(expect.arrayContaining(Object.keys(values)));
      }
    }
  });

  test("a private API endpoint is mandatory in prod and admin, advisory elsewhere", () => {
    const privateEndpoint = policy("aws-eks-private-endpoint");
    const levels = Object.fromEntries(ENVIRONMENTS.map((stack) => [stack, enforcementLevelOf(privateEndpoint, environmentConfig(stack))]));
    expect(levels).toEqual({ e2e: "advisory", stage: "advisory", prod: "mandatory", admin: "mandatory", local: "advisory" });
  });

  test("a public endpoint blocks a prod preview and only warns in e2e", async () => {
    const publicCluster = [eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } })];
    const levelsIn = async (stack: string) =>
      (await evaluate(publicCluster, environmentConfig(stack))).filter((f) => f.policy === "aws-eks-private-endpoint").map((f) => f.level);
    expect(await levelsIn("prod")).toEqual(["mandatory"]);
    expect(await levelsIn("e2e")).toEqual(["advisory"]);
  });

  test("e2e requires fewer control-plane log types than prod", async () => {
    const cluster = [eks({ enabledClusterLogTypes: ["api", "audit", "authenticator"] })];
    expect(await evaluate(cluster, environmentConfig("e2e"))).toEqual([]);
    expect(await evaluate(cluster, environmentConfig("prod"))).toEqual([
      expect.objectContaining({
        policy: "aws-eks-control-plane-logs",
        level: "mandatory",
        message: expect.stringMatching(/controllerManager, scheduler/),
      }),
    ]);
  });

  test("local reports images from unlisted registries without blocking", async () => {
    const findings = await evaluate([pod("alpha", "app:dev")], environmentConfig("local"));
    expect(findings.map((f) => [f.policy, f.level])).toEqual([["k8s-allowed-registries", "advisory"]]);
    expect((await evaluate([pod("alpha", "app:dev")], environmentConfig("stage"))).map((f) => f.level)).toEqual(["mandatory"]);
  });

  test("a disabled policy reports nothing", async () => {
    expect(await evaluate([kmsKey({})], { "aws-kms-key-rotation": "disabled" })).toEqual([]);
    expect(await evaluate([kmsKey({})], { all: "disabled" })).toEqual([]);
  });
});
