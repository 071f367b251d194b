/** Team namespaces are handed over only with their guard rails: quota, default limits, default-deny and pod security. */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configOf, stringList } from "../common";
import { byNamespace, K8S, nameOf, TEAM_LABEL } from "./objects";
import { described } from "../catalogue";

interface NetworkPolicyRule {
  readonly from?: unknown[];
  readonly to?: unknown[];
  readonly ports?: unknown[];
}

interface NetworkPolicySpec {
  readonly podSelector?: { readonly matchLabels?: Record<string, string>; readonly matchExpressions?: unknown[] };
  readonly policyTypes?: string[];
  readonly ingress?: NetworkPolicyRule[];
  readonly egress?: NetworkPolicyRule[];
}

/** A rule without peers and ports admits everything, which would undo the deny. */
const admitsEverything = (rule: NetworkPolicyRule): boolean => (rule.from ?? rule.to ?? []).length === 0 && (rule.ports ?? []).length === 0;

/**
 * Default-deny: the policy selects every pod of the namespace for both directions, so whatever its rules do
 * not list is dropped. The platform writes it as one policy with the allow rules inside (components/tenancy).
 */
export function isDefaultDeny(spec: NetworkPolicySpec | undefined): boolean {
  const selector = spec?.podSelector;
  const selectsAll =
    selector !== undefined && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  const types = spec?.policyTypes ?? [];
  const rules = [...(spec?.ingress ?? []), ...(spec?.egress ?? [])];
  return selectsAll && types.includes("Ingress") && types.includes("Egress") && !rules.some(admitsEverything);
}

export const teamNamespaceBaseline: StackValidationPolicy = {
  ...described("k8s-team-namespace-baseline"),
  validateStack: (args, reportViolation) => {
    const quotas = byNamespace(args.resources, K8S.resourceQuota);
    const limitRanges = byNamespace(args.resources, K8S.limitRange);
    const networkPolicies = byNamespace(args.resources, K8S.networkPolicy);
    for (const ns of args.resources.filter((r) => r.type === K8S.namespace)) {
      const team = ns.props.metadata?.labels?.[TEAM_LABEL];
      const name = nameOf(ns.props);
      if (team === undefined || name === undefined) continue;
      const missing = [
        ...(quotas.has(name) ? [] : ["ResourceQuota"]),
        ...(limitRanges.has(name) ? [] : ["LimitRange"]),
        ...((networkPolicies.get(name) ?? []).some((p) => isDefaultDeny(p.props.spec))
          ? []
          : ["default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress)"]),
      ];
      if (missing.length > 0) reportViolation(`Namespace "${name}" of team ${team} lacks its ${missing.join(", ")}.`, ns.urn);
    }
  },
};

const podSecurityDefaults = { allowedEnforceLevels: ["baseline", "restricted"] };

export const teamNamespacePodSecurity: ResourceValidationPolicy = {
  ...described("k8s-team-namespace-pod-security"),
  configSchema: {
    properties: {
      allowedEnforceLevels: stringList(podSecurityDefaults.allowedEnforceLevels, { allowed: ["privileged", "baseline", "restricted"] }),
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== K8S.namespace) return;
    const labels: Record<string, string> = args.props.metadata?.labels ?? {};
    if (labels[TEAM_LABEL] === undefined) return;
    const { allowedEnforceLevels } = configOf(args, podSecurityDefaults);
    const level = labels["pod-security.kubernetes.io/enforce"];
    if (level === undefined) {
      reportViolation(`Namespace "${nameOf(args.props)}" of team ${labels[TEAM_LABEL]} has no pod-security.kubernetes.io/enforce label.`);
    } else if (!allowedEnforceLevels.includes(level)) {
      reportViolation(
        `Namespace "${nameOf(args.props)}" enforces Pod Security "${level}"; team namespaces enforce one of ${allowedEnforceLevels.join(", ")}.`,
      );
    }
  },
};
