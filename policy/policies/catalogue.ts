/**
 * Every policy of the pack at a glance: its name, how severe a violation is, and what it asks, as `pulumi preview`
 * reports them. Each policy's module takes its entry by name (`described`), and a test keeps the catalogue and the
 * pack's policies one to one.
 */
import type { Severity } from "@pulumi/policy";

interface Entry {
  readonly severity: Severity;
  readonly description: string;
}

const CATALOGUE = {
  // aws/ec2.ts
  "aws-imdsv2-required": {
    severity: "high",
    description:
      "Launch templates and instances require IMDSv2 (metadataOptions.httpTokens: required); EKS node groups use such a launch template.",
  },
  "aws-node-imds-single-hop": {
    severity: "high",
    description:
      "Every EKS node group uses a launch template with metadataOptions.httpPutResponseHopLimit 1, so pods off the host network cannot obtain the node role from IMDS.",
  },
  // aws/eks.ts
  "aws-eks-secrets-encryption": {
    severity: "high",
    description:
      "EKS clusters envelope-encrypt Kubernetes Secrets with a KMS key (encryptionConfig resources [secrets] and provider.keyArn).",
  },
  "aws-eks-control-plane-logs": {
    severity: "medium",
    description: "EKS clusters send their control-plane logs (api, audit, authenticator, controllerManager, scheduler) to CloudWatch.",
  },
  "aws-eks-private-endpoint": {
    severity: "high",
    description: "The EKS API endpoint is private only: reached from the VPC, the Transit Gateway and the VPN, never from the internet.",
  },
  "aws-eks-public-endpoint-restricted": {
    severity: "critical",
    description: "Where an EKS API endpoint is public at all, it accepts only listed CIDRs, never 0.0.0.0/0 (AWS's default).",
  },
  "aws-eks-standard-support": {
    severity: "medium",
    description:
      "EKS clusters set upgradePolicy.supportType explicitly to an allowed type (default STANDARD): the API's default, EXTENDED, moves a cluster into extended-support pricing without anyone deciding it.",
  },
  "aws-eks-oidc-prefixes": {
    severity: "high",
    description: "EKS OIDC identity providers prefix every username and group (usernamePrefix, groupsPrefix), never with system:.",
  },
  // aws/flow-logs.ts
  "aws-flow-logs-to-s3": {
    severity: "low",
    description:
      "VPC flow logs are delivered to S3 (logDestinationType s3), not to CloudWatch Logs, whose ingestion is billed per GB at several times the rate.",
  },
  // aws/iam.ts
  "aws-iam-no-wildcard-admin": {
    severity: "critical",
    description:
      'No IAM statement allows Action "*" on Resource "*", everything but a NotAction list, or iam:*; nothing attaches the AdministratorAccess managed policy.',
  },
  "aws-iam-trust-policies": {
    severity: "critical",
    description:
      "A role's trust policy names whom it trusts: no Principal *, no federated provider without conditions on the audience (and the subject, for OIDC), no other account's root without a condition.",
  },
  // aws/kms.ts
  "aws-kms-key-rotation": { severity: "medium", description: "Symmetric KMS keys have automatic rotation on (enableKeyRotation: true)." },
  // aws/s3.ts
  "aws-s3-bucket-encryption": { severity: "high", description: "Every S3 bucket has a default server-side encryption configuration." },
  "aws-s3-bucket-versioning": {
    severity: "high",
    description: "Every S3 bucket keeps object versions (BucketVersioning status Enabled), so an overwrite or delete can be undone.",
  },
  "aws-s3-bucket-public-access-block": {
    severity: "high",
    description:
      "Every S3 bucket blocks public access: blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
  },
  // aws/vpn.ts
  "aws-client-vpn-group-authorization": {
    severity: "high",
    description: "Client VPN authorization rules name a directory group (accessGroupId) and never authorize all groups.",
  },
  // kubernetes/charts.ts
  "k8s-oauth2-proxy-allowed-groups": {
    severity: "high",
    description:
      "Every oauth2-proxy chart restricts sign-in to listed directory groups (allowed_groups / --allowed-group), not to everyone the identity provider knows.",
  },
  "k8s-fluent-bit-tls-verified": {
    severity: "high",
    description:
      "Fluent Bit outputs that use TLS verify the server's certificate (tls.verify is never Off), so logs are not shipped to whoever answers.",
  },
  // kubernetes/namespaces.ts
  "k8s-team-namespace-baseline": {
    severity: "high",
    description: "Every team namespace has a ResourceQuota, a LimitRange and a default-deny NetworkPolicy (all pods, Ingress and Egress).",
  },
  "k8s-team-namespace-pod-security": {
    severity: "high",
    description:
      "Every team namespace enforces a Pod Security Standard (label pod-security.kubernetes.io/enforce) of baseline or stricter.",
  },
  // kubernetes/network.ts
  "k8s-instance-metadata-egress-guard": {
    severity: "high",
    description:
      "Namespaces in guardedNamespaces (default ci-runners) have a NetworkPolicy selecting every pod for Egress, and no NetworkPolicy there admits 169.254.169.254 (the instance metadata service).",
  },
  // kubernetes/rbac.ts
  "k8s-cluster-admin-only-infra": {
    severity: "critical",
    description:
      "Roles as good as cluster-admin (cluster-admin itself; any ClusterRole or Role of this stack granting * on *, bind or escalate on roles, impersonate, or * on RBAC objects; " +
      "the built-in admin and edit, which impersonate service accounts) are bound only to the infra group or a holder the config names with its reason; " +
      "EKS's AmazonEKSClusterAdminPolicy is associated only with the infra and deploy roles.",
  },
  "k8s-no-cluster-wide-secret-reads": {
    severity: "high",
    description:
      "No person but the infra group reads Secrets beyond a team's own namespaces: a role reading any Secret (get, list or watch on secrets, or a wildcard, not limited to named Secrets; the built-in cluster-admin, admin and edit included) " +
      "is bound to no group or user cluster-wide (ClusterRoleBinding), nor in a namespace that is not a team's. Operators' service accounts are not people and are not checked.",
  },
  // kubernetes/services.ts
  "k8s-team-load-balancers": {
    severity: "medium",
    description: "No LoadBalancer Service in a team namespace beyond what the namespace's ResourceQuota grants (services.loadbalancers).",
  },
  // kubernetes/workloads.ts
  "k8s-no-host-access-outside-platform": {
    severity: "critical",
    description: "No privileged container, hostPath volume or hostNetwork pod outside the platform namespaces.",
  },
  "k8s-allowed-registries": {
    severity: "high",
    description: "Containers pull images only from allowed registries (Docker Hub through the ECR pull-through cache, not directly).",
  },
} as const satisfies Record<string, Entry>;

export type PolicyName = keyof typeof CATALOGUE;
export type Described = { readonly name: PolicyName } & Entry;

export const CATALOGUED: readonly PolicyName[] = Object.keys(CATALOGUE) as PolicyName[];

/** A policy's name with its catalogue entry, to spread into the policy. */
export function described(name: PolicyName): Described {
  return { name, ...CATALOGUE[name] };
}
