/**
 * What the policy tests share: a policy of the pack by name, and the resources more than one of them builds (a
 * container and its pod, an EKS cluster that passes every EKS policy, a KMS key).
 */
import { POLICIES } from "../../policy/policies";
import { resource } from "../policy-cases";

const byName = new Map(POLICIES.map((p) => [p.name, p]));

export function policy(name: string) {
  const found = byName.get(name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
}

export const container = (extra: Record<string, any> = {}) => ({
  name: "app",
  image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:1.0.0",
  ...extra,
});
export const pod = (ns: string, image: string) =>
  resource("kubernetes:core/v1:Pod", { metadata: { name: "p", namespace: ns }, spec: { containers: [container({ image })] } });

/** A cluster every EKS policy accepts, so that a case changes only the setting it is about (`extra`; vpcConfig is merged). */
export const eks = (extra: Record<string, any> = {}) =>
  resource("aws:eks/cluster:Cluster", {
    roleArn: "arn:aws:iam::111111111111:role/prod-eks",
    encryptionConfig: { provider: { keyArn: "arn:aws:kms:eu-west-1:111111111111:key/1" }, resources: ["secrets"] },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    upgradePolicy: { supportType: "STANDARD" },
    ...extra,
    vpcConfig: { subnetIds: ["subnet-1"], endpointPrivateAccess: true, endpointPublicAccess: false, ...extra.vpcConfig },
  });
export const kmsKey = (props: Record<string, unknown>) => resource("aws:kms/key:Key", { description: "k", ...props });
