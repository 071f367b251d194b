import { z } from "zod";
import { cron, dnsLabel, duration, positiveInt } from "../primitives";

const disabled = z.strictObject({ enabled: z.literal(false) });

export const ISSUERS = ["letsencrypt-staging", "letsencrypt-prod", "selfsigned-ca"] as const;

const certManager = z.strictObject({
  enabled: z.literal(true),
  acmeEmail: z.string().email({ message: "expected an e-mail address for the ACME account" }).optional(),
  issuers: z.array(z.enum(ISSUERS)).min(1),
});

const autoscaler = z.strictObject({
  enabled: z.literal(true),
  scaleDownUnneededTime: duration,
  scaleDownDelayAfterAdd: duration,
  expander: z.enum(["least-waste", "priority", "random", "most-pods", "price"]),
});

const backups = z.strictObject({
  enabled: z.literal(true),
  schedules: z
    .array(
      z.strictObject({
        name: dnsLabel,
        cron,
        /** How long the backup (and its volume snapshots) is kept. */
        ttl: duration,
        includedNamespaces: z.array(z.string().min(1)).default(["*"]),
      }),
    )
    .min(1),
  /** Days S3 keeps noncurrent object versions of backup data. */
  noncurrentVersionDays: positiveInt,
});

export const servicesSection = z.strictObject({
  certManager: z.discriminatedUnion("enabled", [disabled, certManager]),
  clusterAutoscaler: z.discriminatedUnion("enabled", [disabled, autoscaler]),
  backups: z.discriminatedUnion("enabled", [disabled, backups]),
});
export type CertManagerConfig = z.infer<typeof certManager>;
export type AutoscalerConfig = z.infer<typeof autoscaler>;
export type BackupsConfig = z.infer<typeof backups>;
