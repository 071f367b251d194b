/**
 * The policies of the pack. This module only exports them: constructing the PolicyPack (policy/index.ts)
 * starts the analyzer server, which tests and the offline evaluator must not do.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import {
  eksControlPlaneLogs,
  eksOidcPrefixes,
  eksPrivateEndpoint,
  eksPublicEndpointRestricted,
  eksSecretsEncryption,
  eksStandardSupport,
} from "./aws/eks";
import { imdsv2Required, nodesSingleHop } from "./aws/ec2";
import { flowLogsToS3 } from "./aws/flow-logs";
import { iamNoWildcardAdmin, iamTrustPolicies } from "./aws/iam";
import { kmsKeyRotation } from "./aws/kms";
import { s3Encryption, s3PublicAccessBlock, s3Versioning } from "./aws/s3";
import { clientVpnGroupAuthorization } from "./aws/vpn";
import { teamNamespaceBaseline, teamNamespacePodSecurity } from "./kubernetes/namespaces";
import { fluentBitVerifiesTls, oauth2ProxyAllowedGroups } from "./kubernetes/charts";
import { instanceMetadataEgressGuard } from "./kubernetes/network";
import { clusterAdminOnlyForInfra, noClusterWideSecretReads } from "./kubernetes/rbac";
import { teamLoadBalancers } from "./kubernetes/services";
import { allowedRegistries, noHostAccessOutsidePlatform } from "./kubernetes/workloads";

export const PACK_NAME = "k8s-platform";

/** The level of every policy that sets none; per-environment configs (policy/config/<stack>.json) override levels. */
export const DEFAULT_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export const POLICIES: Policies = [
  teamNamespaceBaseline,
  teamNamespacePodSecurity,
  noHostAccessOutsidePlatform,
  allowedRegistries,
  clusterAdminOnlyForInfra,
  teamLoadBalancers,
  eksSecretsEncryption,
  eksControlPlaneLogs,
  eksPrivateEndpoint,
  eksPublicEndpointRestricted,
  imdsv2Required,
  s3Encryption,
  s3Versioning,
  s3PublicAccessBlock,
  iamNoWildcardAdmin,
  iamTrustPolicies,
  kmsKeyRotation,
  // Hardening: directory groups at the dashboards and the VPN, verified log shipping, no node role for any pod,
  // no Secrets for auditors, and the cost guardrails (standard support, flow logs to S3).
  oauth2ProxyAllowedGroups,
  fluentBitVerifiesTls,
  instanceMetadataEgressGuard,
  noClusterWideSecretReads,
  nodesSingleHop,
  clientVpnGroupAuthorization,
  eksStandardSupport,
  eksOidcPrefixes,
  flowLogsToS3,
];
