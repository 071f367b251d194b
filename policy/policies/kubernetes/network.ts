/** Namespaces whose pods must never reach the instance metadata service (and with it the node's IAM role). */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf, ofTypes, stringList } from "../common";
import { byNamespace, K8S, nameOf } from "./objects";
import { described } from "../catalogue";

const METADATA_ADDRESS = "169.254.169.254";

interface IpBlock {
  readonly cidr?: string;
  readonly except?: string[];
}
interface Peer {
  readonly ipBlock?: IpBlock;
  readonly podSelector?: unknown;
  readonly namespaceSelector?: unknown;
}
interface EgressRule {
  readonly to?: Peer[];
}

/** Whether an IPv4 CIDR contains an address (the pack is self-contained, so no shared CIDR library). */
export function cidrContainsAddress(cidr: string, address: string): boolean {
  const toNumber = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const [network, prefix] = cidr.split("/");
  const size = 2 ** (32 - Number(prefix ?? 32));
  const start = toNumber(network) - (toNumber(network) % size);
  return toNumber(address) >= start && toNumber(address) < start + size;
}

/**
 * Whether an egress rule admits the metadata address: a rule without peers admits everything; selector peers
 * name pods (IMDS is none); an ipBlock admits it unless an `except` covers it.
 */
function admitsMetadata(rule: EgressRule): boolean {
  const peers = rule.to ?? [];
  if (peers.length === 0) return true;
  return peers.some(
    (peer) =>
      peer.ipBlock?.cidr !== undefined &&
      !peer.ipBlock.cidr.includes(":") &&
      cidrContainsAddress(peer.ipBlock.cidr, METADATA_ADDRESS) &&
      !(peer.ipBlock.except ?? []).some((e) => cidrContainsAddress(e, METADATA_ADDRESS)),
  );
}

const selectsAllPods = (spec: Record<string, any>): boolean =>
  Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 && (spec.podSelector?.matchExpressions ?? []).length === 0;

const guardDefaults = { guardedNamespaces: ["ci-runners"] };

export const instanceMetadataEgressGuard: StackValidationPolicy = {
  ...described("k8s-instance-metadata-egress-guard"),
  configSchema: {
    properties: { guardedNamespaces: stringList(guardDefaults.guardedNamespaces) },
  },
  validateStack: (args, reportViolation) => {
    const { guardedNamespaces } = configOf(args, guardDefaults);
    const policies = byNamespace(args.resources, K8S.networkPolicy);
    const namespaces = ofTypes(args.resources, K8S.namespace).filter((ns) => guardedNamespaces.includes(nameOf(ns.props) ?? ""));
    for (const ns of namespaces) {
      const name = nameOf(ns.props)!;
      const inNamespace: PolicyResource[] = policies.get(name) ?? [];
      const egressPolicies = inNamespace.filter((p) => (p.props.spec?.policyTypes ?? []).includes("Egress"));
      if (!egressPolicies.some((p) => selectsAllPods(p.props.spec ?? {}))) {
        reportViolation(
          `Namespace "${name}" has no NetworkPolicy selecting all its pods for Egress, so they reach the instance metadata service.`,
          ns.urn,
        );
      }
      for (const policy of egressPolicies.filter((p) => ((p.props.spec?.egress ?? []) as EgressRule[]).some(admitsMetadata))) {
        reportViolation(
          `NetworkPolicy "${nameOf(policy.props)}" in namespace "${name}" admits ${METADATA_ADDRESS} (instance metadata): exclude it with ipBlock.except.`,
          policy.urn,
        );
      }
    }
  },
};
