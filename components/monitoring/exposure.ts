/**
 * How the observability dashboards (Grafana, and Kibana through its login proxy) are published: one Ingress
 * each at `<service>.<env>.<domain>`, of a configurable IngressClass. This program installs no ingress
 * controller; with the default class `alb` the AWS Load Balancer Controller serves both from one internal ALB.
 */

export interface DashboardExposure {
  readonly ingressClassName: string;
  /**
   * Pod addresses are VPC addresses (AWS VPC CNI). With Calico as CNI they live on an overlay that neither the
   * EKS control plane nor a load balancer can reach, so webhooks run on the host network and load balancers
   * target node ports.
   */
  readonly podIpsRoutable: boolean;
}

/** Shared by every dashboard so they land on one load balancer, reachable only from inside the VPC and the VPN. */
const ALB_GROUP = "dashboards";

/** `healthPath`: what the load balancer's health check asks, the app's own health endpoint rather than `/`. */
export function dashboardIngressAnnotations(exposure: DashboardExposure, healthPath: string): Record<string, string> {
  // An Ingress is ready once its controller has given it an address: for an ALB, minutes after the controller
  // sees it, and never without a controller. The provider would hold `pulumi up` on that for ten minutes and then
  // fail (Kibana's proxy is a helm.v4 Chart, whose objects it awaits); Grafana's, in a helm.v3 Release, is never
  // awaited. Both are published alike: the load balancer follows the deploy, it does not gate it.
  const notAwaited = { "pulumi.com/skipAwait": "true" };
  if (exposure.ingressClassName !== "alb") return notAwaited;
  return {
    ...notAwaited,
    "alb.ingress.kubernetes.io/scheme": "internal",
    "alb.ingress.kubernetes.io/group.name": ALB_GROUP,
    // HTTPS only; the controller finds the ACM certificate matching the Ingress host.
    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
    "alb.ingress.kubernetes.io/target-type": exposure.podIpsRoutable ? "ip" : "instance",
    "alb.ingress.kubernetes.io/healthcheck-path": healthPath,
  };
}

/** Instance targets reach pods through a node port; IP targets need none. */
export function dashboardServiceType(exposure: DashboardExposure): "ClusterIP" | "NodePort" {
  return exposure.podIpsRoutable ? "ClusterIP" : "NodePort";
}
