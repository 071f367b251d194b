/**
 * AWS Regions and how many Availability Zones an EKS VPC can use in each: data below config and components,
 * kept like the version catalogue in lib/versions.ts, so that `network.azCount` is checked before anything is
 * registered (components/network/availability-zones.ts still asks the account at deploy time).
 *
 * Source: AWS documentation, "AWS Regions and Availability Zones" → "AWS Availability Zones"
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html), which lists
 * every AZ ID per Region and its "Constrained Availability Zones"; China Regions from the docs.amazonaws.cn
 * edition of the same page. Constrained zones are subtracted: new accounts are not offered them, and EKS
 * rejects control-plane subnets in them (UnsupportedAvailabilityZoneException), e.g. use1-az3 and usw1-az2.
 * Local Zones and Wavelength Zones are not counted: the network component asks for `zone-type:
 * availability-zone` only.
 *
 * A Region missing here is rejected as `aws.region` with a pointer to this table: add it (with its count from
 * the page above) when the company starts to use it.
 */

interface RegionZones {
  /** AZ IDs the page lists for the Region. */
  readonly listed: number;
  /** Of those, constrained (not offered to new accounts, not usable for an EKS control plane). */
  readonly constrained?: readonly string[];
}

const REGIONS: Record<string, RegionZones> = {
  // North America
  "us-east-1": { listed: 6, constrained: ["use1-az3"] },
  "us-east-2": { listed: 3 },
  "us-west-1": { listed: 3, constrained: ["usw1-az2"] },
  "us-west-2": { listed: 4 },
  "ca-central-1": { listed: 3 },
  "ca-west-1": { listed: 3 },
  "mx-central-1": { listed: 3 },
  "us-gov-east-1": { listed: 3 },
  "us-gov-west-1": { listed: 3 },
  // Africa
  "af-south-1": { listed: 3 },
  // Asia Pacific
  "ap-east-1": { listed: 3 },
  "ap-east-2": { listed: 3 },
  "ap-south-1": { listed: 3 },
  "ap-south-2": { listed: 3 },
  "ap-southeast-1": { listed: 3 },
  "ap-southeast-2": { listed: 3 },
  "ap-southeast-3": { listed: 3 },
  "ap-southeast-4": { listed: 3 },
  "ap-southeast-5": { listed: 3 },
  "ap-southeast-6": { listed: 3 },
  "ap-southeast-7": { listed: 3 },
  "ap-northeast-1": { listed: 4, constrained: ["apne1-az3"] },
  "ap-northeast-2": { listed: 4 },
  "ap-northeast-3": { listed: 3 },
  // Europe
  "eu-central-1": { listed: 3 },
  "eu-central-2": { listed: 3 },
  "eu-west-1": { listed: 3 },
  "eu-west-2": { listed: 3 },
  "eu-west-3": { listed: 3 },
  "eu-south-1": { listed: 3 },
  "eu-south-2": { listed: 3 },
  "eu-north-1": { listed: 3 },
  // Middle East
  "il-central-1": { listed: 3 },
  "me-central-1": { listed: 3 },
  "me-south-1": { listed: 3 },
  // South America
  "sa-east-1": { listed: 3 },
  // China (separate partition, docs.amazonaws.cn)
  "cn-north-1": { listed: 3 },
  "cn-northwest-1": { listed: 3 },
};

export const AWS_REGIONS: readonly string[] = Object.keys(REGIONS);

/** Availability Zones an EKS VPC can use in `region`; undefined for a Region this table does not know. */
export function usableAvailabilityZones(region: string): number | undefined {
  const zones = REGIONS[region];
  return zones && zones.listed - (zones.constrained?.length ?? 0);
}
