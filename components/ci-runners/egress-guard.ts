/**
 * What keeps build jobs away from the node's IAM role, in two layers:
 * - the CI build pool's nodes answer IMDS on the node only (hop limit 1, components/cluster/node-pools.ts), so no
 *   pod obtains an IMDSv2 token;
 * - this NetworkPolicy drops every packet from the runners' pods to the metadata address, so nothing in them
 *   reaches IMDS even on a node whose hop limit allows it (the deploy runners share the general pools).
 * With the VPC CNI, Calico (policy-only mode) enforces NetworkPolicy on each pod's host-side interface, outside
 * the pod: a container can rewrite its pod's own iptables but not these rules, and the containers a build starts sit
 * behind the pod's interface, so the same rules apply to them. What the policy cannot stop is a build escaping to
 * the host (where the hop limit is the only barrier): the node role therefore holds only what every node needs
 * (worker node policy, ECR pulls).
 * - Build pods run any repository's jobs, unreviewed branches included, and sit in admin's private subnets, which every
 *   spoke admits to its API endpoint and its internal load balancers: the namespace's policy leaves out the spokes'
 *   ranges too, and a second one gives them back to every runner but the builds (runners.ts), so a build reaches no
 *   environment.
 */
import * as k8s from "@pulumi/kubernetes";
import { INSTANCE_METADATA } from "../tenancy/baseline";

/**
 * Egress from the selected pods to anywhere but the metadata address and the given ranges. Pods and namespaces of this
 * cluster are allowed as peers in their own right, because whether an `ipBlock` also matches pod addresses is up to
 * the implementation.
 */
export function egressGuard(
  podSelector: k8s.types.input.meta.v1.LabelSelector,
  except: readonly string[] = [],
): k8s.types.input.networking.v1.NetworkPolicySpec {
  return {
    podSelector,
    policyTypes: ["Egress"],
    egress: [{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: "0.0.0.0/0", except: [INSTANCE_METADATA, ...except] } }] }],
  };
}
