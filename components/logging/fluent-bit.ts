/**
 * Fluent Bit, twice from one chart: a DaemonSet that tails every container's stdout/stderr on every node and
 * adds the pod's Kubernetes metadata, and a single-replica Deployment that streams Kubernetes events (one
 * reader, or every node would ship every event). Both write daily indices to Elasticsearch.
 */
import * as pulumi from "@pulumi/pulumi";
import { RegistryMirrors, throughMirror } from "../../lib/images";
import { LABEL_PREFIX } from "../../lib/naming";
import { FLUENT_BIT_RESOURCES } from "../../lib/workload-sizes";
import { AGENT_CA_DIR, AGENT_CA_FILE, AGENT_CA_SECRET } from "./ca-mirror";
import { ELASTICSEARCH_PORT, INDEX_PREFIXES, USERS } from "./elasticsearch";

/** Secret in the agents' namespace with Fluent Bit's Elasticsearch password under `password`. */
export const AGENT_CREDENTIALS_SECRET = "fluent-bit-elasticsearch";
const PASSWORD_ENV = "ES_PASSWORD";

const EVENTS_TAG = "k8s_events";

/**
 * Not the chart's default `cr.fluentbit.io`: that host forwards anonymously to Docker Hub (fluent/helm-charts#583),
 * so its pulls meet Docker Hub's anonymous rate limit, and ECR cannot cache it. Fluent Bit's releases are copied
 * from ghcr.io, their source, to Docker Hub; Docker Hub is the one of the two every AWS environment caches, so the
 * DaemonSet's pull on each new node comes from inside AWS with the cache's credentials. Without that cache, the
 * source. The tag stays the chart's own (its appVersion).
 */
const FLUENT_BIT_IMAGE = { cached: "docker.io/fluent/fluent-bit", source: "ghcr.io/fluent/fluent-bit" };

function fluentBitRepository(mirrors: RegistryMirrors): string {
  const cached = throughMirror(FLUENT_BIT_IMAGE.cached, mirrors);
  return cached === FLUENT_BIT_IMAGE.cached ? FLUENT_BIT_IMAGE.source : cached;
}

/** One section of Fluent Bit's classic configuration format. */
function section(kind: "INPUT" | "FILTER" | "OUTPUT", entries: [string, string | number][]): string {
  return [`[${kind}]`, ...entries.map(([key, value]) => `    ${key} ${value}`)].join("\n") + "\n";
}

function elasticsearchOutput(match: string, indexPrefix: string, host: string): string {
  return section("OUTPUT", [
    ["Name", "es"],
    ["Match", match],
    ["Host", host],
    ["Port", ELASTICSEARCH_PORT],
    ["HTTP_User", USERS.fluentBit.username],
    ["HTTP_Passwd", `\${${PASSWORD_ENV}}`],
    // Verified against ECK's HTTP CA (copied into this namespace, ca-mirror.ts), host name included: ECK's HTTP
    // certificate names `<service>.<namespace>.svc` among its SANs (cloud-on-k8s createValidatedHTTPCertificateTemplate,
    // k8s.GetServiceDNSName), and tls.verify_hostname is off unless set (Fluent Bit "Transport security").
    ["tls", "On"],
    ["tls.verify", "On"],
    ["tls.verify_hostname", "On"],
    ["tls.ca_file", AGENT_CA_FILE],
    ["Logstash_Format", "On"],
    ["Logstash_Prefix", indexPrefix],
    ["Suppress_Type_Name", "On"],
    // Kubernetes label keys contain dots, which Elasticsearch would read as object paths.
    ["Replace_Dots", "On"],
    ["Trace_Error", "On"],
    // Keep retrying while Elasticsearch is away; the tail input's buffer limit applies back-pressure meanwhile.
    ["Retry_Limit", "False"],
  ]);
}

export interface FluentBitSettings {
  /** `<name>-es-http.<namespace>.svc` of the environment's Elasticsearch. */
  readonly elasticsearchHost: string;
  /** Changes when the password does, so the pods restart and read the new one. */
  readonly credentialsRevision: pulumi.Input<string>;
  /** Changes when the Elasticsearch CA does: Fluent Bit loads its CA file at start only. */
  readonly caRevision: pulumi.Input<string>;
  readonly registryMirrors: RegistryMirrors;
}

function common(settings: FluentBitSettings) {
  return {
    image: { repository: fluentBitRepository(settings.registryMirrors) },
    env: [{ name: PASSWORD_ENV, valueFrom: { secretKeyRef: { name: AGENT_CREDENTIALS_SECRET, key: "password" } } }],
    extraVolumes: [{ name: "elasticsearch-ca", secret: { secretName: AGENT_CA_SECRET } }],
    extraVolumeMounts: [{ name: "elasticsearch-ca", mountPath: AGENT_CA_DIR, readOnly: true }],
    podAnnotations: {
      [`${LABEL_PREFIX}/credentials-revision`]: settings.credentialsRevision,
      [`${LABEL_PREFIX}/ca-revision`]: settings.caRevision,
    },
    resources: FLUENT_BIT_RESOURCES,
  };
}

/** The node agent: container logs only need printing to stdout/stderr, nothing from the teams. */
export function containerLogsValues(settings: FluentBitSettings) {
  return {
    ...common(settings),
    kind: "DaemonSet",
    // Every node, tainted or not, runs containers whose logs are wanted.
    tolerations: [{ operator: "Exists" }],
    // But a Fargate node (admin's platform runners), which runs no DaemonSet pod: tolerating its taint, the agent's pod
    // would be bound to it and stay Pending, and every update of the agent would wait for it and time out (EKS User
    // Guide, "Fargate considerations": DaemonSets are not supported; the EKS add-ons exclude it the same way).
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["fargate"] }] }],
        },
      },
    },
    config: {
      inputs: section("INPUT", [
        ["Name", "tail"],
        ["Path", "/var/log/containers/*.log"],
        ["multiline.parser", "docker, cri"],
        ["Tag", "kube.*"],
        // Read offsets survive restarts on the node's disk, so a restarted agent neither skips nor repeats lines.
        ["DB", "/var/log/fluent-bit-containers.db"],
        ["Mem_Buf_Limit", "50MB"],
        ["Skip_Long_Lines", "On"],
      ]),
      filters: section("FILTER", [
        ["Name", "kubernetes"],
        ["Match", "kube.*"],
        // JSON log lines become fields, under one key so that apps' field names cannot collide with the metadata.
        ["Merge_Log", "On"],
        ["Merge_Log_Key", "log_processed"],
        ["Keep_Log", "Off"],
        ["K8S-Logging.Parser", "On"],
        ["K8S-Logging.Exclude", "On"],
      ]),
      outputs: elasticsearchOutput("kube.*", INDEX_PREFIXES.logs, settings.elasticsearchHost),
    },
  };
}

/** The event reader: the chart's ClusterRole gains read access to events. */
export function eventsValues(settings: FluentBitSettings) {
  return {
    ...common(settings),
    kind: "Deployment",
    replicaCount: 1,
    rbac: { create: true, eventsAccess: true },
    config: {
      inputs: section("INPUT", [
        ["Name", "kubernetes_events"],
        ["Tag", EVENTS_TAG],
      ]),
      filters: "",
      outputs: elasticsearchOutput(EVENTS_TAG, INDEX_PREFIXES.events, settings.elasticsearchHost),
    },
  };
}
