/**
 * How the observability dashboards (Grafana, and Kibana through its login proxy) are published: one Ingress
 * each at `<service>.<env>.<domain>`. With the AWS Load Balancer Controller (any of its classes configured as
 * `observability.ingressClassName`, by default `alb`) both take the platform's class, whose params put them on
 * one internal ALB of the platform's own group that no team namespace can join (components/load-balancing);
 * any other class is used as configured.
 */
import * as pulumi from "@pulumi/pulumi";
import { INGRESS_CLASSES } from "../../lib/ingress-classes";

export interface DashboardExposure {
  readonly ingressClassName: string;
  /**
   * Pod addresses are VPC addresses (AWS VPC CNI). With Calico as CNI they live on an overlay that neither the
   * EKS control plane nor a load balancer can reach, so webhooks run on the host network and load balancers
   * target node ports.
   */
  readonly podIpsRoutable: boolean;
}

/** What Grafana and Kibana alike need to be published behind the directory's sign-in. */
export interface PublishedDashboardArgs {
  readonly exposure: DashboardExposure;
  readonly oidcIssuerUrl: pulumi.Input<string>;
  /** Dex static client id of this environment's dashboard. */
  readonly oidcClientId: string;
  readonly oidcClientSecret: pulumi.Input<string>;
  /** ID-token claim with the user's directory groups, which the dashboard's sign-in matches. */
  readonly groupsClaim: string;
  /**
   * What must be ready before an Ingress is created: the AWS Load Balancer Controller registers its Ingress webhook
   * (failure policy Fail) before its pods answer, and an Ingress created meanwhile is refused ("no endpoints").
   */
  readonly ingressReady?: pulumi.Input<pulumi.Resource>[];
}

/** True when the AWS Load Balancer Controller serves the dashboards. */
export function servedByLoadBalancerController(exposure: DashboardExposure): boolean {
  return (Object.values(INGRESS_CLASSES) as string[]).includes(exposure.ingressClassName);
}

/** The IngressClass of the dashboards' Ingresses. */
export function dashboardIngressClass(exposure: DashboardExposure): string {
  return servedByLoadBalancerController(exposure) ? INGRESS_CLASSES.platform : exposure.ingressClassName;
}

/** `healthPath`: what the load balancer's health check asks, the app's own health endpoint rather than `/`. */
export function dashboardIngressAnnotations(exposure: DashboardExposure, healthPath: string): Record<string, string> {
  // An Ingress is ready once its controller has given it an address: for an ALB, minutes after the controller
  // sees it, and never without a controller. The provider would hold `pulumi up` on that for ten minutes and then
  // fail (both dashboards' charts are helm.v4 Charts, whose objects it awaits). Both are published without the wait:
  // the load balancer follows the deploy, it does not gate it.
  const notAwaited = { "pulumi.com/skipAwait": "true" };
  if (!servedByLoadBalancerController(exposure)) return notAwaited;
  // No scheme or group here: the platform class's params set both, and would override them anyway.
  return {
    ...notAwaited,
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
