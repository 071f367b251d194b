import { z } from "zod";
import { dnsLabel, duration, positiveInt, quantity } from "../primitives";

const disabled = z.strictObject({ enabled: z.literal(false) });

const receiver = z.strictObject({
  name: dnsLabel,
  type: z.enum(["slack", "pagerduty", "webhook"]),
  /** Alert severities routed to this receiver; the URL or key comes from `platform:alertReceiverSecrets`. */
  severities: z.array(z.enum(["critical", "warning", "info"])).min(1),
});

const monitoring = z.strictObject({
  enabled: z.literal(true),
  prometheus: z.strictObject({ replicas: positiveInt, retention: duration, storageGiB: positiveInt, memory: quantity }),
  alertmanager: z.strictObject({ replicas: positiveInt, storageGiB: positiveInt, receivers: z.array(receiver).default([]) }),
  grafana: z.strictObject({ replicas: positiveInt }),
});

const logging = z.strictObject({
  enabled: z.literal(true),
  elasticsearch: z.strictObject({ nodes: positiveInt, storageGiB: positiveInt, memory: quantity }),
  kibana: z.strictObject({ replicas: positiveInt }),
  /** Days log and event indices are kept before index lifecycle management deletes them. */
  retentionDays: positiveInt,
});

export const observabilitySection = z.strictObject({
  monitoring: z.discriminatedUnion("enabled", [disabled, monitoring]),
  logging: z.discriminatedUnion("enabled", [disabled, logging]),
});
export type MonitoringConfig = z.infer<typeof monitoring>;
export type LoggingConfig = z.infer<typeof logging>;
