/** The ECK Elasticsearch resource, its users and roles, and the names ECK derives from it. */
import * as k8s from "@pulumi/kubernetes";
import { LoggingConfig } from "../../config/sections/observability";
import { ELASTICSEARCH_CPU } from "../../lib/workload-sizes";

/** ECK names the HTTP Service `<name>-es-http`, the superuser Secret `<name>-es-elastic-user`, the CA `<name>-es-http-certs-public`. */
export const ELASTICSEARCH_NAME = "logging";
const NODE_SET = "default";

export function elasticsearchService(namespace: string): string {
  return `${ELASTICSEARCH_NAME}-es-http.${namespace}.svc`;
}
export const ELASTICSEARCH_PORT = 9200;
export const ELASTIC_USER_SECRET = `${ELASTICSEARCH_NAME}-es-elastic-user`;
export const HTTP_CA_SECRET = `${ELASTICSEARCH_NAME}-es-http-certs-public`;

/** Index name prefixes; Fluent Bit appends the day (`k8s-logs-2026.01.31`), which index lifecycle deletes by age. */
export const INDEX_PREFIXES = { logs: "k8s-logs", events: "k8s-events" } as const;
export const INDEX_PATTERNS = Object.values(INDEX_PREFIXES).map((prefix) => `${prefix}-*`);

/** File-realm users: each is a `kubernetes.io/basic-auth` Secret whose `roles` key lists its roles. */
export const USERS = {
  /** Fluent Bit may only create log and event indices and append to them. */
  fluentBit: { username: "fluent-bit", secret: "es-user-fluent-bit", roles: ["k8s-log-writer"] },
  /**
   * The identity every user behind Kibana's login proxy shares (per-user identities in Elasticsearch need
   * a paid realm): full use of Kibana, read-only on the data (built-in role `editor`).
   */
  kibanaViewer: { username: "kibana-viewer", secret: "es-user-kibana-viewer", roles: ["editor"] },
} as const;

export const ROLES_SECRET = "es-roles";

/** File-based role definitions (`roles.yml`; JSON is valid YAML). */
export function rolesFile(): string {
  return JSON.stringify({
    "k8s-log-writer": { indices: [{ names: INDEX_PATTERNS, privileges: ["create_index", "create_doc"] }] },
  });
}

const ZONE_LABEL = "topology.kubernetes.io/zone";

export interface ElasticsearchSettings {
  readonly version: string;
  readonly config: LoggingConfig["elasticsearch"];
  readonly storageClassName: string;
  /** Keep the data volumes when the resource is deleted (prod). */
  readonly retainVolumes: boolean;
}

interface ZoneAwareness {
  /** None rather than an empty map: the API server drops an empty one, and every later preview would show it added. */
  readonly annotations?: Record<string, string>;
  readonly config: Record<string, string>;
  readonly env: k8s.types.input.core.v1.EnvVar[];
  readonly topologySpreadConstraints: k8s.types.input.core.v1.TopologySpreadConstraint[];
}

/** Zone awareness: spread nodes over zones and tell Elasticsearch each node's zone, so a shard's copies never share one. */
function zoneAwareness(nodes: number): ZoneAwareness {
  if (nodes === 1) return { config: {}, env: [], topologySpreadConstraints: [] };
  return {
    // ECK copies these node labels onto the pods as annotations (exposed through the downward API below).
    annotations: { "eck.k8s.elastic.co/downward-node-labels": ZONE_LABEL },
    config: { "node.attr.zone": "${ZONE}", "cluster.routing.allocation.awareness.attributes": "k8s_node_name,zone" },
    env: [{ name: "ZONE", valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${ZONE_LABEL}']` } } }],
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: ZONE_LABEL,
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: {
          matchLabels: {
            "elasticsearch.k8s.elastic.co/cluster-name": ELASTICSEARCH_NAME,
            "elasticsearch.k8s.elastic.co/statefulset-name": `${ELASTICSEARCH_NAME}-es-${NODE_SET}`,
          },
        },
      },
    ],
  };
}

/** `metadata.annotations` and `spec` of the Elasticsearch resource. */
export function elasticsearch(settings: ElasticsearchSettings) {
  const { nodes, storageGiB, memory } = settings.config;
  const zones = zoneAwareness(nodes);
  return {
    annotations: zones.annotations,
    spec: {
      version: settings.version,
      volumeClaimDeletePolicy: settings.retainVolumes ? "DeleteOnScaledownOnly" : "DeleteOnScaledownAndClusterDeletion",
      auth: {
        roles: [{ secretName: ROLES_SECRET }],
        fileRealm: Object.values(USERS).map((user) => ({ secretName: user.secret })),
      },
      nodeSets: [
        {
          name: NODE_SET,
          count: nodes,
          config: {
            // Without mmap Elasticsearch needs no raised vm.max_map_count, which only a privileged init
            // container could set; the namespace stays at the baseline pod security level.
            "node.store.allow_mmap": false,
            ...zones.config,
          },
          podTemplate: {
            spec: {
              containers: [
                {
                  name: "elasticsearch",
                  resources: { requests: { cpu: ELASTICSEARCH_CPU.request, memory }, limits: { cpu: ELASTICSEARCH_CPU.limit, memory } },
                  env: zones.env,
                },
              ],
              topologySpreadConstraints: zones.topologySpreadConstraints,
            },
          },
          volumeClaimTemplates: [
            {
              // ECK mounts the volume of this exact name as the data path.
              metadata: { name: "elasticsearch-data" },
              spec: {
                storageClassName: settings.storageClassName,
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: `${storageGiB}Gi` } },
              },
            },
          ],
        },
      ],
    },
  };
}
