/** Monitoring and logging: what they need of the cluster, and their size in prod. */
import type { Rule, Violation } from "./violation";

/**
 * Monitoring and logging need the EKS cluster layer's storage (their Dex clients: config/rules-secrets.ts), monitoring
 * needs cert-manager, and in prod both need enough replicas to lose a zone.
 */
const observabilityFitsTheEnvironment: Rule = (c) => {
  const { monitoring, logging } = c.observability;
  const violations: Violation[] = [];
  const violation = (path: string, expected: string) => violations.push({ path, expected });
  const parts: [string, boolean][] = [
    ["monitoring", monitoring.enabled],
    ["logging", logging.enabled],
  ];
  for (const [part, enabled] of parts) {
    if (!enabled) continue;
    if (c.cluster.mode !== "eks") {
      violation(
        `observability.${part}.enabled`,
        "false on an existing cluster: its volumes use the gp3 StorageClass the EKS cluster layer creates",
      );
    }
  }
  if (monitoring.enabled && !c.services.certManager.enabled) {
    violation(
      "services.certManager.enabled",
      "true where observability.monitoring is enabled: cert-manager issues the Prometheus operator's admission-webhook certificate",
    );
  }
  if (logging.enabled && logging.elasticsearch.nodes === 2) {
    violation(
      "observability.logging.elasticsearch.nodes",
      "1 or at least 3: two master-eligible Elasticsearch nodes lose their quorum when either fails",
    );
  }
  if (c.environment.kind === "prod") {
    if (!monitoring.enabled) violation("observability.monitoring.enabled", "true in prod");
    if (!logging.enabled) violation("observability.logging.enabled", "true in prod");
    if (monitoring.enabled && monitoring.prometheus.replicas < 2)
      violation("observability.monitoring.prometheus.replicas", "at least 2 in prod");
    if (monitoring.enabled && monitoring.alertmanager.replicas < 3)
      violation("observability.monitoring.alertmanager.replicas", "at least 3 in prod");
    if (logging.enabled && logging.elasticsearch.nodes < 3)
      violation("observability.logging.elasticsearch.nodes", "at least 3 in prod (one per availability zone)");
  }
  return violations;
};

export const OBSERVABILITY_RULES: Rule[] = [observabilityFitsTheEnvironment];
