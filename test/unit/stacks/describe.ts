/** What the per-stack tests read off a run: the facts that make each environment what its stack file says. */
import { StackRun } from "../../../mock-engine";

export const NAT_GATEWAY = "aws:ec2/natGateway:NatGateway";
export const PRIVATE_SUBNET_ROLE = "kubernetes.io/role/internal-elb";

/** How many resources of each type a run registers. */
export function typeCounts(run: StackRun): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of run.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

export function privateSubnetZones(run: StackRun): string[] {
  return run
    .ofType("aws:ec2/subnet:Subnet")
    .filter((s) => s.inputs.tags[PRIVATE_SUBNET_ROLE] === "1")
    .map((s) => s.inputs.availabilityZone);
}

export function eksCluster(run: StackRun) {
  const [cluster] = run.ofType("aws:eks/cluster:Cluster");
  return cluster;
}

/** The outputs every AWS environment publishes. */
export const CLUSTER_OUTPUTS = [
  "clusterName",
  "clusterEndpoint",
  "kubeconfig",
  "oidcProviderArn",
  "oidcProviderUrl",
  "vpcId",
  "vpcCidr",
  "privateSubnetIds",
  "nodeRoleArn",
];
