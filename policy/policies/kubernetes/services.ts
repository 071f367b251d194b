/** Load balancers cost money and open a namespace to the network: a team gets them only when granted. */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { byNamespace, K8S, nameOf, teamNamespaces } from "./objects";
import { described } from "../catalogue";

/**
 * What the namespace's quotas allow. The grant is the quota's `services.loadbalancers` (a team's
 * `quota.loadBalancers` in stack config), the same number the API server enforces, so the preview fails
 * exactly where the apply would, and a grant is one reviewed config line rather than a second list here.
 * Without a quota entry nothing is granted.
 */
function loadBalancersAllowed(quotas: readonly PolicyResource[]): number {
  const limits = quotas.map((q) => Number.parseInt(String(q.props.spec?.hard?.["services.loadbalancers"] ?? "0"), 10) || 0);
  return limits.length === 0 ? 0 : Math.min(...limits);
}

export const teamLoadBalancers: StackValidationPolicy = {
  ...described("k8s-team-load-balancers"),
  validateStack: (args, reportViolation) => {
    const teams = teamNamespaces(args.resources);
    const quotas = byNamespace(args.resources, K8S.resourceQuota);
    for (const [namespace, services] of byNamespace(args.resources, K8S.service)) {
      if (!teams.has(namespace)) continue;
      const loadBalancers = services.filter((s) => s.props.spec?.type === "LoadBalancer");
      const allowed = loadBalancersAllowed(quotas.get(namespace) ?? []);
      if (loadBalancers.length <= allowed) continue;
      for (const service of loadBalancers) {
        reportViolation(
          `Service "${nameOf(service.props)}" is a LoadBalancer in team namespace "${namespace}", which has ${loadBalancers.length} and is granted ${allowed} (ResourceQuota services.loadbalancers).`,
          service.urn,
        );
      }
    }
  },
};
