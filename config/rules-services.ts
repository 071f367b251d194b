/** The cluster services (cert-manager, the cluster autoscaler): what each needs of the cluster and the environment. */
import { IMAGES } from "../lib/versions";
import type { Rule, Violation } from "./violation";

const servicesHaveWhatTheyNeed: Rule = (c) => {
  const violations: Violation[] = [];
  const { certManager, clusterAutoscaler } = c.services;
  if (certManager.enabled && c.cluster.mode !== "eks") {
    violations.push({
      path: "services.certManager.enabled",
      expected: "false on an existing cluster: cluster services are installed only on the EKS clusters this program creates",
    });
  }
  if (certManager.enabled && certManager.issuers.some((issuer) => issuer.startsWith("letsencrypt-"))) {
    if (!c.environment.hostedZoneId) {
      violations.push({
        path: "environment.hostedZoneId",
        expected: "the Route53 zone of <env>.<domain>: the letsencrypt issuers solve DNS-01 challenges in it",
      });
    }
    if (!certManager.acmeEmail) {
      violations.push({
        path: "services.certManager.acmeEmail",
        expected:
          "an e-mail address for the ACME account (Let's Encrypt's contact about the account) when a letsencrypt issuer is configured",
      });
    }
  }
  const autoscalerTags: Record<string, string> = IMAGES.clusterAutoscaler.tagByKubernetesMinor;
  if (clusterAutoscaler.enabled && c.cluster.mode === "eks" && !autoscalerTags[c.cluster.kubernetesVersion]) {
    violations.push({
      path: "cluster.kubernetesVersion",
      expected: `one of ${Object.keys(autoscalerTags).join(", ")} while services.clusterAutoscaler is enabled: the autoscaler's minor must match Kubernetes' (add the image tag to lib/versions.ts)`,
    });
  }
  return violations;
};

export const SERVICE_RULES: Rule[] = [servicesHaveWhatTheyNeed];
