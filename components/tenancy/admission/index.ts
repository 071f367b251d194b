/** The ValidatingAdmissionPolicies of team namespaces, in the order TenancyGuardrails creates them, and what they are built from. */
import type { PlatformConfig } from "../../../config/schema";
import { ISSUERS } from "../../../config/sections/services";
import { NLB_LOAD_BALANCER_CLASS } from "../../../lib/ingress-classes";
import { RETIRING_TAINT } from "../../cluster/node-generations";
import { AdmissionContext, TeamAdmissionPolicy } from "./cel";
import { teamCertificates } from "./certificates";
import { teamIngresses, teamServices } from "./exposure";
import { teamMonitors } from "./monitors";
import { teamPlatformObjects } from "./platform-objects";
import { teamScheduling } from "./scheduling";

export type { AdmissionContext, TeamAdmissionPolicy } from "./cel";
export { NO_NODE_PORTS } from "./exposure";
export { PLATFORM_OBJECTS } from "./platform-objects";

/** The taint of nodes kept for the cluster's critical add-ons (EKS's system pools; CoreDNS and the VPC CNI tolerate it). */
export const CRITICAL_ADDONS_ONLY = "CriticalAddonsOnly";

export function teamAdmissionPolicies(context: AdmissionContext): TeamAdmissionPolicy[] {
  return [teamPlatformObjects, teamIngresses, teamServices, teamScheduling, teamMonitors, teamCertificates].map((policy) =>
    policy(context),
  );
}

/**
 * From the environment's config: the taints of its node pools not open to teams (and of a retiring generation), and the issuers
 * teams may use. Where the platform installs cert-manager, those it configures. On an existing cluster the platform
 * knows none, and a team's manifests name the platform's issuers as they would elsewhere (config/sections/services.ts
 * ISSUERS); the self-signed chain's bootstrap issuer is never one of them.
 */
export function teamAdmissionOf(config: Pick<PlatformConfig, "cluster" | "services">): Omit<AdmissionContext, "environment" | "domain"> {
  const pools = config.cluster.mode === "eks" ? config.cluster.nodePools : [];
  const { certManager } = config.services;
  return {
    platformTaintKeys: [
      ...new Set([
        CRITICAL_ADDONS_ONLY,
        RETIRING_TAINT,
        ...pools.filter((pool) => !pool.openToTeams).flatMap((pool) => pool.taints.map((t) => t.key)),
      ]),
    ],
    teamIssuers: certManager.enabled ? [...certManager.issuers] : [...ISSUERS],
    // The load balancer controller comes with cert-manager on EKS (stacks/aws-cluster.ts).
    ...(config.cluster.mode === "eks" && certManager.enabled ? { loadBalancerClass: NLB_LOAD_BALANCER_CLASS } : {}),
  };
}
