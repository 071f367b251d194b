/**
 * Values AWS accepts only within limits that the config would otherwise pass on to a failing API call in the
 * middle of a deployment. Each limit cites where AWS documents it.
 */
import { z } from "zod";

/**
 * Tag values (the provider's default tags carry `owner` and `cost-centre` to every AWS resource).
 * AWS "Tagging AWS resources" → tag restrictions: a value is at most 256 Unicode characters; the characters
 * every service accepts are letters, digits, spaces and `+ - = . _ : / @` (EC2 accepts more, IAM and others do
 * not, and one environment tags both); the `aws:` prefix is reserved for AWS in keys and values.
 */
export const TAG_VALUE_MAX = 256;
export const tagValue = z
  .string()
  .min(1, { message: "expected a non-empty text: it becomes an AWS tag value" })
  .max(TAG_VALUE_MAX, { message: `expected at most ${TAG_VALUE_MAX} characters: it becomes an AWS tag value (the AWS limit)` })
  .regex(/^[\p{L}\p{N} +\-=._:/@]*$/u, {
    message:
      "expected letters, digits, spaces and + - = . _ : / @ only: it becomes an AWS tag value, and IAM and other services refuse other characters",
  })
  .refine((v) => !/^aws:/i.test(v), { message: 'expected a value not starting with "aws:": AWS reserves that prefix in tags' });

/**
 * CloudWatch Logs keeps events only for these periods: PutRetentionPolicy `retentionInDays`, as listed by the
 * CloudWatch Logs API reference and the provider's `aws.cloudwatch.LogGroup.retentionInDays` (0, "never
 * expire", is left out: audit logs here are meant to expire).
 */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export const cloudwatchRetentionDays = z
  .number()
  .int({ message: "expected a whole number of days" })
  .refine((days) => (CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(days), {
    message: `expected one of the retention periods CloudWatch Logs accepts: ${CLOUDWATCH_RETENTION_DAYS.join(", ")} days`,
  });

/**
 * Largest gp3 volume, in GiB. The EC2 API reference lists gp3 at 1-16,384 GiB for launch templates and Auto
 * Scaling block devices (the node pools' root volumes); CreateVolume now lists up to 65,536 GiB, but 16,384
 * is what every path that creates a volume here (launch template, EBS CSI driver) accepts.
 */
export const GP3_MAX_GIB = 16384;
export const gp3VolumeGiB = z
  .number()
  .int({ message: "expected a whole number of GiB" })
  .min(1, { message: "expected at least 1 GiB" })
  .max(GP3_MAX_GIB, { message: `expected at most ${GP3_MAX_GIB} GiB (16 TiB, the largest gp3 volume)` });
