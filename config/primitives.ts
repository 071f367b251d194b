/** Reusable value types of the environment config, each with an "expected …" message a reader can act on. */
import { z } from "zod";
import { parseCidr } from "../lib/cidr";

export const cidr = z
  .string()
  .refine((v) => parseCidr(v) !== undefined, { message: "expected an IPv4 network CIDR such as 10.20.0.0/16 (no host bits set)" });

/** DNS-1123 label: what Kubernetes accepts as a namespace name. */
export const dnsLabel = z
  .string()
  .max(63, { message: "expected at most 63 characters (DNS-1123 label)" })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: "expected a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
  });

export const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, { message: "expected a Kubernetes quantity such as 500m, 2, 512Mi or 10Gi" });

/** Prometheus/Velero style duration: 30d, 12h, 90m. */
export const duration = z.string().regex(/^[0-9]+(s|m|h|d|w)$/, { message: "expected a duration such as 90m, 48h or 30d" });

export const cron = z
  .string()
  .regex(/^(\S+\s+){4}\S+$/, { message: "expected a five-field cron expression such as '0 * * * *'" });

export const awsRoleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]+$/, { message: "expected an IAM role ARN such as arn:aws:iam::123456789012:role/name" });

export const awsAccountId = z.string().regex(/^[0-9]{12}$/, { message: "expected a 12-digit AWS account id (quote it in YAML)" });

export const httpsUrl = z.string().regex(/^https:\/\/[^\s/]+(\/\S*)?$/, { message: "expected an https:// URL" });

export const hostname = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, { message: "expected a DNS name such as example.com" });

export const positiveInt = z.number().int({ message: "expected a whole number" }).min(1, { message: "expected a number >= 1" });
export const nonNegativeInt = z.number().int({ message: "expected a whole number" }).min(0, { message: "expected a number >= 0" });

/** An OIDC group name as the directory knows it, before the cluster's group prefix is added. */
export const groupName = z.string().regex(/^[A-Za-z0-9][\w .@-]*$/, { message: "expected a directory group name" });
