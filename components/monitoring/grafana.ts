import * as pulumi from "@pulumi/pulumi";
import type { ContainerResources } from "../../config/primitives";
import { registryAndRepository, RegistryMirrors, registryThroughMirror, throughMirror } from "../../lib/images";
import { Naming } from "../../lib/naming";
import {
  DashboardExposure,
  dashboardIngressAnnotations,
  dashboardIngressClass,
  dashboardServiceType,
  servedByLoadBalancerController,
} from "./exposure";

export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const GRAFANA_OIDC_SECRET = "grafana-oidc";

export interface GrafanaSettings {
  readonly naming: Naming;
  readonly replicas: number;
  readonly resources: ContainerResources;
  readonly exposure: DashboardExposure;
  /** Dex issuer; its endpoints are `<issuer>/auth`, `/token` and `/userinfo`. */
  readonly oidcIssuerUrl: pulumi.Input<string>;
  readonly clientId: string;
  /** Directory group whose members become Grafana admins; everyone else who logs in is a viewer. */
  readonly adminGroup: string;
  readonly registryMirrors: RegistryMirrors;
}

/** The grafana subchart's image (kube-prometheus-stack 88.5.3: grafana 12.11.1, `docker.io` + `grafana/grafana`). */
const GRAFANA_IMAGE = "docker.io/grafana/grafana";

/** The `grafana:` values of kube-prometheus-stack (the grafana/grafana subchart). */
export function grafanaValues(settings: GrafanaSettings) {
  const { naming, exposure } = settings;
  const issuer = pulumi.output(settings.oidcIssuerUrl).apply((url) => url.replace(/\/+$/, ""));
  const image = throughMirror(GRAFANA_IMAGE, settings.registryMirrors);
  return {
    replicas: settings.replicas,
    resources: settings.resources,
    // The tag stays the chart's (its appVersion); only where it is pulled from changes.
    ...(image === GRAFANA_IMAGE ? {} : { image: registryAndRepository(image) }),
    // The dashboard and datasource sidecar (quay.io/kiwigrid/k8s-sidecar), at the chart's tag.
    sidecar: { image: { registry: registryThroughMirror("quay.io", settings.registryMirrors) } },
    // Both secrets are Kubernetes Secrets the chart references by name, so their values never enter the
    // chart values (which Helm stores in its release record and Pulumi shows in every preview diff).
    admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
    envValueFrom: { GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: GRAFANA_OIDC_SECRET, key: "client-secret" } } },
    "grafana.ini": {
      server: { root_url: naming.url("grafana") },
      "auth.generic_oauth": {
        enabled: true,
        name: "Dex",
        allow_sign_up: true,
        client_id: settings.clientId,
        scopes: "openid email profile groups",
        auth_url: pulumi.interpolate`${issuer}/auth`,
        token_url: pulumi.interpolate`${issuer}/token`,
        api_url: pulumi.interpolate`${issuer}/userinfo`,
        use_pkce: true,
        role_attribute_path: `contains(groups[*], '${settings.adminGroup}') && 'Admin' || 'Viewer'`,
      },
    },
    service: { type: dashboardServiceType(exposure) },
    ingress: {
      enabled: true,
      ingressClassName: dashboardIngressClass(exposure),
      // Grafana's unauthenticated health endpoint (HTTP API reference: /api/health).
      annotations: { ...dashboardIngressAnnotations(exposure, "/api/health"), ...sessionStickiness(exposure) },
      hosts: [naming.dns("grafana")],
      path: "/",
    },
  };
}

/**
 * Grafana keeps login sessions in its database, here one SQLite file per replica: without a shared database
 * (dashboards come from ConfigMaps, users from Dex) a browser must stay on the replica it signed in on.
 */
function sessionStickiness(exposure: DashboardExposure): Record<string, string> {
  if (!servedByLoadBalancerController(exposure)) return {};
  return { "alb.ingress.kubernetes.io/target-group-attributes": "stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=86400" };
}
