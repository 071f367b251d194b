/** EKS control planes: Secrets encrypted with our key, every log stream on, and an API endpoint kept off the internet. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, stringList } from "../common";
import { described } from "../catalogue";

export const EKS_CLUSTER = "aws:eks/cluster:Cluster";

export const eksSecretsEncryption: ResourceValidationPolicy = {
  ...described("aws-eks-secrets-encryption"),
  validateResource: (args, reportViolation) => {
    if (args.type !== EKS_CLUSTER) return;
    const encryption = args.props.encryptionConfig;
    // Presence only: the key is usually created in the same update, so its ARN is unknown during preview.
    const hasKey = encryption?.provider !== undefined && Object.hasOwn(encryption.provider, "keyArn");
    if (!hasKey || !(encryption.resources ?? []).includes("secrets")) {
      reportViolation('The cluster does not encrypt Secrets: set encryptionConfig { provider: { keyArn }, resources: ["secrets"] }.');
    }
  },
};

export const ALL_CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

const logDefaults = { requiredLogTypes: ALL_CONTROL_PLANE_LOGS };

export const eksControlPlaneLogs: ResourceValidationPolicy = {
  ...described("aws-eks-control-plane-logs"),
  configSchema: {
    properties: {
      requiredLogTypes: stringList(ALL_CONTROL_PLANE_LOGS, { allowed: ALL_CONTROL_PLANE_LOGS }),
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== EKS_CLUSTER) return;
    const enabled: string[] = args.props.enabledClusterLogTypes ?? [];
    const missing = configOf(args, logDefaults).requiredLogTypes.filter((type) => !enabled.includes(type));
    if (missing.length > 0) reportViolation(`The cluster does not log ${missing.join(", ")} (enabledClusterLogTypes).`);
  },
};

/** AWS turns the public endpoint on, and the private one off, unless told otherwise. */
const publicAccessOf = (vpcConfig: Record<string, any> | undefined): boolean => vpcConfig?.endpointPublicAccess !== false;

/** Advisory by default; the prod and admin policy configs make it mandatory (see policy/config). */
export const eksPrivateEndpoint: ResourceValidationPolicy = {
  ...described("aws-eks-private-endpoint"),
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (args.type !== EKS_CLUSTER) return;
    const vpcConfig = args.props.vpcConfig;
    if (vpcConfig?.endpointPrivateAccess !== true)
      reportViolation("The cluster has no private API endpoint (vpcConfig.endpointPrivateAccess: true).");
    if (publicAccessOf(vpcConfig) && !bootstrapping(args.props.tags)) {
      reportViolation("The cluster's API endpoint is public (vpcConfig.endpointPublicAccess must be false).");
    }
  },
};

/**
 * admin's first deployment opens its endpoint to the operator for at most seven days; the program tags the
 * cluster with the deadline (cluster.bootstrapAccess, config/rules-delivery.ts), and only until then is a public
 * endpoint admitted.
 */
const BOOTSTRAP_ACCESS_TAG = "platform.example.io/bootstrap-access-until";
const BOOTSTRAP_ACCESS_MAX_MS = 7 * 24 * 60 * 60 * 1000;
function bootstrapping(tags: Record<string, string> | undefined): boolean {
  const until = Date.parse(tags?.[BOOTSTRAP_ACCESS_TAG] ?? "");
  return Number.isFinite(until) && until > Date.now() && until <= Date.now() + BOOTSTRAP_ACCESS_MAX_MS;
}

export const eksPublicEndpointRestricted: ResourceValidationPolicy = {
  ...described("aws-eks-public-endpoint-restricted"),
  validateResource: (args, reportViolation) => {
    if (args.type !== EKS_CLUSTER) return;
    const vpcConfig = args.props.vpcConfig;
    if (!publicAccessOf(vpcConfig)) return;
    const cidrs: string[] = vpcConfig?.publicAccessCidrs ?? [];
    if (cidrs.length === 0 || cidrs.includes("0.0.0.0/0")) {
      reportViolation(
        "The cluster's public API endpoint is open to the whole internet: list the allowed vpcConfig.publicAccessCidrs, or make it private.",
      );
    }
  },
};

const supportDefaults = { allowedSupportTypes: ["STANDARD"] };

export const eksStandardSupport: ResourceValidationPolicy = {
  ...described("aws-eks-standard-support"),
  configSchema: {
    properties: {
      allowedSupportTypes: stringList(supportDefaults.allowedSupportTypes, { allowed: ["STANDARD", "EXTENDED"] }),
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== EKS_CLUSTER) return;
    const supportType: string | undefined = args.props.upgradePolicy?.supportType;
    const { allowedSupportTypes } = configOf(args, supportDefaults);
    if (supportType === undefined) {
      reportViolation(
        "The cluster sets no upgradePolicy.supportType, so EKS applies EXTENDED (extended-support pricing after standard support ends): set it.",
      );
    } else if (!allowedSupportTypes.includes(supportType)) {
      reportViolation(
        `The cluster's upgradePolicy.supportType is ${supportType}; allowed here: ${allowedSupportTypes.join(", ")} (extended support is billed per cluster hour).`,
      );
    }
  },
};

const IDENTITY_PROVIDER = "aws:eks/identityProviderConfig:IdentityProviderConfig";

/**
 * People's OIDC usernames and groups are prefixed, so that no directory attribute names a Kubernetes user or group the
 * cluster trusts (`system:…`): the API server refuses neither from an OIDC token. A username is the directory's
 * `mail` by default, which is often writable far more widely than group membership.
 */
export const eksOidcPrefixes: ResourceValidationPolicy = {
  ...described("aws-eks-oidc-prefixes"),
  validateResource: (args, reportViolation) => {
    if (args.type !== IDENTITY_PROVIDER) return;
    for (const key of ["usernamePrefix", "groupsPrefix"] as const) {
      const prefix: string | undefined = args.props.oidc?.[key];
      if (!prefix)
        reportViolation(
          `The OIDC identity provider sets no ${key}: a directory value could name a Kubernetes ${key === "usernamePrefix" ? "user" : "group"} such as system:…`,
        );
      else if (prefix.startsWith("system:"))
        reportViolation(`The OIDC identity provider's ${key} is ${prefix}, which Kubernetes reserves for its own.`);
    }
  },
};
