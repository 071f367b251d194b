import { z } from "zod";
import { gp3VolumeGiB } from "../aws-limits";
import { containerResources, dnsLabel, duration, groupName, positiveInt, quantity } from "../primitives";

const disabled = z.strictObject({ enabled: z.literal(false) });

export const RECEIVER_TYPES = ["slack", "pagerduty", "webhook"] as const;
export const SEVERITIES = ["critical", "warning", "info"] as const;

/** Alertmanager's catch-all receiver: alerts no configured receiver takes are dropped there. */
export const NULL_RECEIVER = "null";

const receiver = z.strictObject({
  /** Also the key of its URL or routing key in `platform:alertReceiverSecrets`. */
  name: dnsLabel.refine((name) => name !== NULL_RECEIVER, {
    message: `expected a name other than "${NULL_RECEIVER}", the built-in catch-all receiver`,
  }),
  type: z.enum(RECEIVER_TYPES),
  /** Alert severities routed to this receiver; several receivers may take the same severity. */
  severities: z.array(z.enum(SEVERITIES)).min(1),
});

const receivers = z
  .array(receiver)
  .default([])
  .superRefine((list, ctx) => {
    list.forEach(({ name }, i) => {
      if (list.findIndex((other) => other.name === name) !== i) {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `expected a receiver name not used by another receiver ("${name}" is taken)`,
        });
      }
    });
  });

/**
 * Alertmanager's and Grafana's containers; without them the namespace's defaults (64Mi requested, 512Mi limit)
 * would apply unseen. The chart's sidecars next to them keep those defaults (lib/workload-sizes.ts).
 */
const ALERTMANAGER_RESOURCES = { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
/** Grafana 13.2 asks for at least 512 MB and one core (Grafana docs, "Install Grafana", hardware recommendations). */
const GRAFANA_RESOURCES = { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } };

const monitoring = z.strictObject({
  enabled: z.literal(true),
  /** `memory` is the request and the limit of the Prometheus container (CPU: lib/workload-sizes.ts). */
  prometheus: z.strictObject({ replicas: positiveInt, retention: duration, storageGiB: gp3VolumeGiB, memory: quantity }),
  alertmanager: z.strictObject({
    replicas: positiveInt,
    storageGiB: gp3VolumeGiB,
    receivers,
    resources: containerResources.default(ALERTMANAGER_RESOURCES),
  }),
  grafana: z.strictObject({
    replicas: positiveInt,
    resources: containerResources.default(GRAFANA_RESOURCES),
    /**
     * Directory groups (without the OIDC prefix) whose members sign in as Viewers, besides the auditor group;
     * the infra group signs in as Admin, and nobody else signs in at all.
     */
    viewerGroups: z.array(groupName).default([]),
  }),
});

const logging = z.strictObject({
  enabled: z.literal(true),
  /** Nodes are spread over availability zones; more than one node keeps a replica of every shard in another zone. */
  elasticsearch: z.strictObject({ nodes: positiveInt, storageGiB: gp3VolumeGiB, memory: quantity }),
  /** Directory groups (without the OIDC prefix) whose members oauth2-proxy lets into Kibana; nobody else gets in. */
  kibana: z.strictObject({ replicas: positiveInt, allowedGroups: z.array(groupName).min(1) }),
  /** Days log and event indices are kept before index lifecycle management deletes them. */
  retentionDays: positiveInt,
});

export const observabilitySection = z.strictObject({
  monitoring: z.discriminatedUnion("enabled", [disabled, monitoring]),
  logging: z.discriminatedUnion("enabled", [disabled, logging]),
  /**
   * IngressClass of the Grafana and Kibana Ingresses (`grafana.<env>.<domain>`, `kibana.<env>.<domain>`). Any class
   * of the AWS Load Balancer Controller (`alb`, the default) publishes them on its platform class, `alb-platform`
   * (components/monitoring/exposure.ts); another class is used as it is.
   */
  ingressClassName: dnsLabel.default("alb"),
});
export type MonitoringConfig = z.infer<typeof monitoring>;
export type LoggingConfig = z.infer<typeof logging>;
export type ReceiverConfig = z.infer<typeof receiver>;
