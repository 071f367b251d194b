import { AwsScope } from "../irsa";

/**
 * What DNS-01 needs in Route53, and no more: TXT records named `_acme-challenge.*` in the environment's zone,
 * and the status of its own changes. `ListHostedZonesByName` (the one action without a resource) is left out
 * because every solver names its `hostedZoneID`, so cert-manager never looks zones up.
 */
export function route53ChallengePolicy(scope: Pick<AwsScope, "partition">, hostedZoneId: string) {
  const zone = `arn:${scope.partition}:route53:::hostedzone/${hostedZoneId}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteChallengeRecords",
        Effect: "Allow",
        Action: "route53:ChangeResourceRecordSets",
        Resource: zone,
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
          "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
        },
      },
      { Sid: "ReadZoneRecords", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: zone },
      // Change ids are only known once a change is made, so the scope is every change of the account.
      { Sid: "WatchChanges", Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${scope.partition}:route53:::change/*` },
    ],
  };
}
