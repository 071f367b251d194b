/**
 * Cases of the EKS and instance policies for the case table of test/unit/policy.test.ts: Secrets encryption,
 * control-plane logs, a private API endpoint (public only during admin's bootstrap allowance, and never to the
 * whole internet), prefixed OIDC names, and IMDSv2 on every instance and node group.
 */
import { BOOTSTRAP_ACCESS_TAG } from "../../config/rules-delivery";
import { Case, FailingCase, resource } from "../policy-cases";
import { eks } from "./policy-fixtures";

const launchTemplate = (httpTokens?: string) =>
  resource("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: { httpEndpoint: "enabled", httpTokens } });
const nodeGroup = (launchTemplate?: unknown) => resource("aws:eks/nodeGroup:NodeGroup", { clusterName: "prod", launchTemplate });
const publicEndpoint = { vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.7/32"] } };
const DAY_MS = 24 * 60 * 60 * 1000;
/** The tag the program sets while admin's first deployment may use a public endpoint (config/rules-delivery.ts). */
const bootstrapUntil = (fromNow: number) => ({ [BOOTSTRAP_ACCESS_TAG]: new Date(Date.now() + fromNow).toISOString() });
const oidcProvider = (prefixes: Record<string, string>) =>
  resource("aws:eks/identityProviderConfig:IdentityProviderConfig", {
    clusterName: "prod-eks",
    oidc: { identityProviderConfigName: "dex", issuerUrl: "https://dex.example.com", clientId: "kubernetes", ...prefixes },
  });

export const EKS_CASES: Record<string, { pass: Case[]; fail: FailingCase[] }> = {
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
};
