/**
 * The network must be buildable as configured: enough Availability Zones in the Region, a VPC large enough for
 * its subnets, and a service range EKS accepts. Each would otherwise fail after resources were registered.
 */
import { usableAvailabilityZones } from "../lib/aws-regions";
import { cidrsOverlap, subnetLayoutProblem } from "../lib/cidr";
import type { Rule, Violation } from "./violation";

/** lib/aws-regions.ts, transcribed from AWS "AWS Availability Zones": zones an EKS VPC can use per Region. */
const regionHasTheZones: Rule = (c) => {
  if (!c.aws || !c.network) return [];
  const usable = usableAvailabilityZones(c.aws.region);
  if (usable === undefined || c.network.azCount <= usable) return [];
  return [
    {
      path: "network.azCount",
      expected: `at most ${usable}: aws.region ${c.aws.region} has ${usable} Availability Zones an EKS VPC can use (lib/aws-regions.ts, from AWS "AWS Availability Zones")`,
    },
  ];
};

/** lib/cidr.ts layoutSubnets carves one private and one public subnet per AZ out of the VPC. */
const vpcFitsItsSubnets: Rule = (c) => {
  if (!c.network) return [];
  const problem = subnetLayoutProblem(c.network.vpcCidr, c.network.azCount);
  return problem ? [{ path: "network.vpcCidr", expected: problem }] : [];
};

/**
 * EKS refuses a service range that overlaps the VPC (KubernetesNetworkConfigRequest.serviceIpv4Cidr); inside
 * the cluster a Service address would shadow a VPC address anyway.
 */
const serviceRangeIsOutsideTheVpc: Rule = (c) => {
  if (c.cluster.mode !== "eks" || !c.network) return [];
  const violations: Violation[] = [];
  if (cidrsOverlap(c.cluster.serviceCidr, c.network.vpcCidr)) {
    violations.push({
      path: "cluster.serviceCidr",
      expected: `a range that does not overlap network.vpcCidr ${c.network.vpcCidr}: EKS refuses a service range inside the VPC`,
    });
  }
  return violations;
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

export const NETWORK_RULES: Rule[] = [regionHasTheZones, vpcFitsItsSubnets, serviceRangeIsOutsideTheVpc, ecrEndpointsComeInPairs];
