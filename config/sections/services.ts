import { z } from "zod";
import { cron, dnsLabel, duration, positiveInt } from "../primitives";

const disabled = z.strictObject({ enabled: z.literal(false) });

/**
 * ClusterIssuers the platform can install. The Let's Encrypt ones solve DNS-01 in the environment's hosted
 * zone (config/rules-services.ts requires `environment.hostedZoneId` and `acmeEmail` for them); `selfsigned-ca` is a
 * private CA for e2e, whose certificates no browser trusts.
 */
export const ISSUERS = ["letsencrypt-staging", "letsencrypt-prod", "selfsigned-ca"] as const;
export type IssuerName = (typeof ISSUERS)[number];

const certManager = z.strictObject({
  enabled: z.literal(true),
  acmeEmail: z.string().email({ message: "expected an e-mail address for the ACME account" }).optional(),
  issuers: z
    .array(z.enum(ISSUERS))
    .min(1)
    .refine((issuers) => new Set(issuers).size === issuers.length, { message: "expected each issuer at most once" }),
});

/**
 * `price` is left out: the autoscaler implements it only for GCE, so on AWS it would never choose.
 * `priority` prefers spot node pools over on-demand ones (components/cluster-autoscaler).
 */
export const EXPANDERS = ["least-waste", "priority", "random", "most-pods"] as const;

const autoscaler = z.strictObject({
  enabled: z.literal(true),
  /** How long a node must be unneeded before it is removed. */
  scaleDownUnneededTime: duration,
  /** How long after a scale-up scale-down evaluation resumes. */
  scaleDownDelayAfterAdd: duration,
  expander: z.enum(EXPANDERS),
});

const schedule = z.strictObject({
  name: dnsLabel,
  cron,
  /** How long the backup (and its volume snapshots) is kept; Velero deletes it afterwards. */
  ttl: duration,
  includedNamespaces: z.array(z.string().min(1)).min(1).default(["*"]),
});

const backups = z.strictObject({
  enabled: z.literal(true),
  schedules: z
    .array(schedule)
    .min(1)
    .refine((s) => new Set(s.map((x) => x.name)).size === s.length, { message: "expected unique schedule names" }),
  /**
   * Days S3 keeps the previous versions of backup objects after Velero deletes or overwrites them: the window
   * in which a deleted backup can still be recovered from the bucket.
   */
  noncurrentVersionDays: positiveInt,
});

export const servicesSection = z.strictObject({
  certManager: z.discriminatedUnion("enabled", [disabled, certManager]),
  clusterAutoscaler: z.discriminatedUnion("enabled", [disabled, autoscaler]),
  backups: z.discriminatedUnion("enabled", [disabled, backups]),
});
export type ServicesConfig = z.infer<typeof servicesSection>;
export type CertManagerConfig = z.infer<typeof certManager>;
export type AutoscalerConfig = z.infer<typeof autoscaler>;
export type BackupsConfig = z.infer<typeof backups>;
export type BackupScheduleConfig = z.infer<typeof schedule>;
