/**
 * Rules of the hardening items that span sections (or need another section's value to be judged), with the
 * signature of config/rules.ts: each returns the violations it finds. HARDENING_RULES is meant to be spread
 * into RULES there (type-only imports here, so the two modules do not load each other).
 */
import type { Violation } from "./rules";
import type { PlatformConfig, PlatformSecrets } from "./schema";

type Rule = (config: PlatformConfig, secrets: PlatformSecrets) => Violation[];

/** The audit log answers "who changed this" in every environment; the other types are a cost decision. */
export const auditLogIsAlwaysOn: Rule = (c) => {
  if (c.cluster.mode !== "eks" || c.cluster.controlPlaneLogTypes.includes("audit")) return [];
  return [
    {
      path: "cluster.controlPlaneLogTypes",
      expected: `a list including "audit": the Kubernetes audit log is the record of who changed what`,
    },
  ];
};

/** A pull from ECR needs both endpoints (registry API for the token, dkr for the image); one alone still leaves through NAT. */
export const ecrEndpointsComeInPairs: Rule = (c) => {
  const services = c.network?.interfaceEndpoints ?? [];
  const ecr = services.filter((s) => s === "ecr.api" || s === "ecr.dkr");
  if (ecr.length !== 1) return [];
  return [
    {
      path: "network.interfaceEndpoints",
      expected: `both ecr.api and ecr.dkr, or neither: an image pull calls both (only ${ecr[0]} is listed)`,
    },
  ];
};

export const HARDENING_RULES: Rule[] = [auditLogIsAlwaysOn, ecrEndpointsComeInPairs];
