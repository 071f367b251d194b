/** Reusable value types of the environment config, each with an "expected …" message a reader can act on. */
import { z } from "zod";
import { parseCidr } from "../lib/cidr";
import { cronProblem } from "./cron";
import { quantityExceeds } from "./quantity";

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

/**
 * A container's requests and limits, both CPU and memory, so that no LimitRange default (a 500m CPU limit in the
 * platform namespaces) fills a gap. The API server refuses a request above its limit, mid-deploy: checked here.
 */
export const containerResources = z
  .strictObject({
    requests: z.strictObject({ cpu: quantity, memory: quantity }),
    limits: z.strictObject({ cpu: quantity, memory: quantity }),
  })
  .superRefine((resources, ctx) => {
    for (const resource of ["cpu", "memory"] as const) {
      const [request, limit] = [resources.requests?.[resource], resources.limits?.[resource]];
      if (quantityExceeds(request, limit)) {
        ctx.addIssue({
          code: "custom",
          path: ["requests", resource],
          message: `expected at most limits.${resource} (${limit}): Kubernetes refuses a request above its limit`,
        });
      }
    }
  });
export type ContainerResources = z.infer<typeof containerResources>;

/** Prometheus/Velero style duration: 30d, 12h, 90m. */
export const duration = z.string().regex(/^[0-9]+(s|m|h|d|w)$/, { message: "expected a duration such as 90m, 48h or 30d" });

/** A Velero schedule: five fields, each within its range (config/cron.ts), or a predefined one such as @daily. */
export const cron = z.string().superRefine((expression, ctx) => {
  const problem = cronProblem(expression);
  if (problem) ctx.addIssue({ code: "custom", message: `expected ${problem}` });
});

export const awsRoleArn = z.string().regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]+$/, {
  message: "expected an IAM role ARN such as arn:aws:iam::123456789012:role/name",
});

export const awsAccountId = z.string().regex(/^[0-9]{12}$/, { message: "expected a 12-digit AWS account id (quote it in YAML)" });

export const httpsUrl = z.string().regex(/^https:\/\/[^\s/]+(\/\S*)?$/, { message: "expected an https:// URL" });

export const hostname = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, { message: "expected a DNS name such as example.com" });

export const positiveInt = z.number().int({ message: "expected a whole number" }).min(1, { message: "expected a number >= 1" });
export const nonNegativeInt = z.number().int({ message: "expected a whole number" }).min(0, { message: "expected a number >= 0" });

/** A dotted-quad IPv4 address (not a host name: AWS resolves none where an address is asked for). */
export const ipv4Address = z
  .string()
  .refine((v) => /^(\d{1,3}\.){3}\d{1,3}$/.test(v) && v.split(".").every((octet) => Number(octet) <= 255), {
    message: "expected an IPv4 address such as 10.0.0.2, not a host name",
  });

/**
 * An OIDC group name as the directory knows it, before the cluster's group prefix is added: the group's
 * `sAMAccountName`, which Dex puts into the groups claim (config/sections/hub.ts). Kubernetes takes any string as a
 * Group subject; Active Directory refuses `" / \ [ ] : ; | = , + * ? < >` and control characters in it, more than
 * 256 characters, and a final `.` (the SAM-Account-Name schema attribute; MS-SAMR 3.1.1.6, "Attribute Constraints
 * for Originating Updates"), so `Ops (EMEA)`, `R&D` and `O'Brien-team` are valid; a leading or trailing space is a
 * YAML slip the directory would never send.
 */
const AD_FORBIDDEN = /["/\\[\]:;|=,+*?<>]/;
export const groupName = z
  .string()
  .min(1, { message: "expected a directory group name" })
  .max(256, { message: "expected at most 256 characters (Active Directory's group name limit)" })
  .refine((v) => !AD_FORBIDDEN.test(v), {
    message: 'expected a directory group name without " / \\ [ ] : ; | = , + * ? < > (characters Active Directory refuses in group names)',
  })
  .refine((v) => v.trim() === v && !/\p{Cc}/u.test(v), {
    message: "expected a directory group name without leading or trailing spaces or control characters",
  })
  .refine((v) => !v.endsWith("."), {
    message: "expected a directory group name that does not end with a period (Active Directory refuses it)",
  });

/**
 * For `.superRefine` on an array: reports the second and later items whose `key` repeats an earlier one, at the
 * item (or at `field` of it), e.g. two ECR repositories of one name, which would clash as resources mid-deploy.
 */
export function noDuplicates<T>(what: string, key: (item: T) => unknown = (item) => item, field?: string) {
  return (items: T[], ctx: z.core.$RefinementCtx<T[]>) => {
    const seen = new Map<unknown, number>();
    items.forEach((item, i) => {
      const value = key(item);
      const first = seen.get(value);
      if (first === undefined) seen.set(value, i);
      else
        ctx.addIssue({
          code: "custom",
          path: field ? [i, field] : [i],
          message: `expected ${what} listed once (it repeats item ${first})`,
        });
    });
  };
}
