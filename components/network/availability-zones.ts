import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The first `count` availability zones of the provider's region, by name. Asked of the account rather than
 * derived from the region name, because zone letters differ between regions (ap-northeast-1 has no `b`).
 * Filtered by zone type, not by state: an AZ that is briefly impaired must not drop out of the list and
 * shift every later subnet into another AZ (which would replace them).
 */
export function availabilityZones(count: number, opts: pulumi.InvokeOutputOptions): pulumi.Output<string[]> {
  return aws.getAvailabilityZonesOutput({ filters: [{ name: "zone-type", values: ["availability-zone"] }] }, opts).names.apply((names) => {
    if (names.length < count) {
      throw new pulumi.RunError(
        `platform:network.azCount = ${count}: expected at most ${names.length}, the availability zones of this region (${names.join(", ")})`,
      );
    }
    return [...names].sort().slice(0, count);
  });
}
