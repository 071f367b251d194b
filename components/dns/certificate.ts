import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DnsValidatedCertificateArgs {
  readonly domainName: string;
  /** The Route53 zone that holds `domainName`: the validation record goes there. */
  readonly hostedZoneId: string;
  /** Tags besides `Name`, which the certificate gets from its domain name. */
  readonly tags: Record<string, string>;
}

/**
 * The `Name` tag of a certificate for `domainName`. ACM takes no `*` in a tag value (ACM API Reference, `Tag`: Value
 * pattern `[\p{L}\p{Z}\p{N}_.:\/=+\-@]*`), so a wildcard's tag says what it covers in words.
 */
export function certificateNameTag(domainName: string): string {
  return domainName.startsWith("*.") ? `names under ${domainName.slice(2)}` : domainName;
}

/**
 * An ACM certificate validated through DNS in the zone that holds the name, so AWS renews it on its own for as
 * long as the record stays. Its ARN is known only once validation has succeeded: what uses it waits for that.
 */
export function dnsValidatedCertificate(
  name: string,
  args: DnsValidatedCertificateArgs,
  opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  const certificate = new aws.acm.Certificate(
    `${name}-certificate`,
    { domainName: args.domainName, validationMethod: "DNS", tags: { ...args.tags, Name: certificateNameTag(args.domainName) } },
    opts,
  );
  const challenge = certificate.domainValidationOptions.apply((options) => options[0]);
  const challengeRecord = new aws.route53.Record(
    `${name}-certificate-validation`,
    {
      zoneId: args.hostedZoneId,
      name: challenge.resourceRecordName,
      type: challenge.resourceRecordType,
      records: [challenge.resourceRecordValue],
      ttl: 300,
      // ACM reuses the same challenge name when the certificate is replaced.
      allowOverwrite: true,
    },
    opts,
  );
  return new aws.acm.CertificateValidation(
    `${name}-certificate`,
    { certificateArn: certificate.arn, validationRecordFqdns: [challengeRecord.fqdn] },
    opts,
  ).certificateArn;
}
