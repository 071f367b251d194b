/**
 * The IngressClasses of the AWS Load Balancer Controller, and who may use which. Each has IngressClassParams
 * whose settings the controller applies over any annotation of an Ingress (scheme, group), and whose namespace
 * selector it enforces at reconcile; admission in team namespaces refuses the rest before an object is stored.
 */
import { LABEL_PREFIX } from "./naming";

export const INGRESS_CLASSES = {
  /** Teams' Ingresses: internal load balancers, one per Ingress or per group of the team's own. */
  team: "alb",
  /** Teams granted public exposure (`teams[].publicIngress`): internet-facing load balancers. */
  public: "alb-public",
  /** The platform's dashboards: one internal load balancer in the platform's own group, platform namespaces only. */
  platform: "alb-platform",
} as const;

/** On the namespaces of a team granted public exposure; the public class's params select on it. */
export const PUBLIC_INGRESS_LABEL = `${LABEL_PREFIX}/public-ingress`;

/**
 * The AWS Load Balancer Controller's class for NLBs (its docs, guide/service/nlb.md, "With LoadBalancerClass"): a
 * Service naming it is the controller's alone; the cloud provider's built-in service controller skips any Service
 * with a class. Left unset, the class comes from the controller's Service webhook, whose failure policy is Ignore:
 * a Service created while the controller is not ready goes to the built-in controller (a Classic Load Balancer).
 */
export const NLB_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";
