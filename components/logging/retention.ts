/**
 * Index lifecycle: the Elasticsearch resource of ECK has no field for it (and ECK's StackConfigPolicy needs an
 * enterprise licence), so a Job puts the policy and the index template through the Elasticsearch API. The
 * Job's spec carries both documents, so a retention change replaces the Job and the new policy is applied.
 */
import * as k8s from "@pulumi/kubernetes";
import { ELASTIC_USER_SECRET, ELASTICSEARCH_PORT, elasticsearchService, HTTP_CA_SECRET, INDEX_PATTERNS } from "./elasticsearch";

export const LIFECYCLE_POLICY = "k8s-retention";
const INDEX_TEMPLATE = "k8s";

/**
 * Delete-only policy on daily indices: an index is deleted `retentionDays` after it was created (its day),
 * so no rollover alias is needed.
 */
export function lifecyclePolicy(retentionDays: number) {
  return { policy: { phases: { hot: { actions: {} }, delete: { min_age: `${retentionDays}d`, actions: { delete: {} } } } } };
}

/** Applies the policy to every new log and event index; one replica wherever there is a second node to hold it. */
export function indexTemplate(nodes: number) {
  return {
    index_patterns: INDEX_PATTERNS,
    priority: 200,
    template: {
      settings: {
        "index.lifecycle.name": LIFECYCLE_POLICY,
        "index.number_of_replicas": nodes > 1 ? 1 : 0,
        // A field one app logs as a number and another as text must not reject the second app's lines.
        "index.mapping.ignore_malformed": true,
      },
    },
  };
}

const SCRIPT = `set -eu
es="https://$ES_HOST:${ELASTICSEARCH_PORT}"
call() { curl --silent --show-error --fail --cacert /ca/ca.crt -u "elastic:$ELASTIC_PASSWORD" -H 'Content-Type: application/json' "$@"; }
until call "$es/_cluster/health?wait_for_status=yellow&timeout=30s" >/dev/null; do echo "waiting for $es"; sleep 10; done
call -X PUT "$es/_ilm/policy/${LIFECYCLE_POLICY}" -d "$POLICY_BODY"
echo
call -X PUT "$es/_index_template/${INDEX_TEMPLATE}" -d "$TEMPLATE_BODY"
echo`;

export interface RetentionJobSettings {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /**
   * The Elasticsearch image, already on the nodes. It ships curl from its base image: elastic/elasticsearch
   * `distribution/docker/src/docker/Dockerfile.default` installs no curl, yet its builder stage, on the same bare
   * base, downloads with curl (ubi9-minimal carries curl-minimal, HTTPS included).
   */
  readonly image: string;
  readonly retentionDays: number;
  readonly nodes: number;
}

export function retentionJob(settings: RetentionJobSettings): k8s.types.input.batch.v1.Job {
  return {
    metadata: { name: "index-lifecycle", namespace: settings.namespace, labels: settings.labels },
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: settings.labels },
        spec: {
          restartPolicy: "OnFailure",
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "apply",
              image: settings.image,
              command: ["/bin/sh", "-c", SCRIPT],
              env: [
                { name: "ES_HOST", value: elasticsearchService(settings.namespace) },
                { name: "ELASTIC_PASSWORD", valueFrom: { secretKeyRef: { name: ELASTIC_USER_SECRET, key: "elastic" } } },
                { name: "POLICY_BODY", value: JSON.stringify(lifecyclePolicy(settings.retentionDays)) },
                { name: "TEMPLATE_BODY", value: JSON.stringify(indexTemplate(settings.nodes)) },
              ],
              volumeMounts: [{ name: "ca", mountPath: "/ca", readOnly: true }],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            },
          ],
          volumes: [{ name: "ca", secret: { secretName: HTTP_CA_SECRET } }],
        },
      },
    },
  };
}
