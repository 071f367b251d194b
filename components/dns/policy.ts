/**
 * external-dns on Route53 (its AWS tutorial's policy, narrowed to the environment's zone): it lists zones to
 * find the one matching its domain filter, and changes records only in that zone.
 */
import { AwsScope } from "../irsa";

/** Route53 offers no resource-level permission for listing zones. */
export const UNSCOPABLE_ZONE_LISTING = ["route53:ListHostedZones", "route53:ListTagsForResources"];

export function externalDnsPolicy(scope: AwsScope, hostedZoneId: string) {
  const zone = `arn:${scope.partition}:route53:::hostedzone/${hostedZoneId}`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "FindZone", Effect: "Allow", Action: UNSCOPABLE_ZONE_LISTING, Resource: "*" },
      {
        Sid: "RecordsOfThisZone",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
        Resource: zone,
      },
    ],
  };
}
