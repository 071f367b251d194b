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
/**
 * The ClusterRole Grafana's service account is bound to, which the component creates: the subchart's own always
 * grants `secrets` next to `configmaps` whenever a sidecar is on (grafana 12.11.1 templates/clusterrole.yaml).
 */
export const GRAFANA_CLUSTER_ROLE = "monitoring-grafana-configmaps";

export interface GrafanaSettings {
  readonly naming: Naming;
  readonly replicas: number;
  readonly resources: ContainerResources;
  readonly exposure: DashboardExposure;
  /** Dex issuer; its endpoints are `<issuer>/auth`, `/token` and `/userinfo`. */
  readonly oidcIssuerUrl: pulumi.Input<string>;
  readonly clientId: string;
  /** ID-token claim with the user's directory groups (identity.oidc.groupsClaim; Dex sends `groups`). */
  readonly groupsClaim: string;
  /** Directory group whose members sign in as Admins. */
  readonly adminGroup: string;
  /** Directory groups whose members sign in as Viewers; members of no listed group are refused. */
  readonly viewerGroups: readonly string[];
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
    // The dashboard and datasource sidecar (quay.io/kiwigrid/k8s-sidecar), at the chart's tag. Dashboards come
    // from ConfigMaps of every namespace (kube-prometheus-stack sets `searchNamespace: ALL`), datasources from
    // this namespace; neither from Secrets (the subchart's default `resource: both`).
    sidecar: {
      image: { registry: registryThroughMirror("quay.io", settings.registryMirrors) },
      dashboards: { resource: "configmap" },
      datasources: { resource: "configmap" },
    },
    // Read-only on ConfigMaps, which is all the sidecars read: GRAFANA_CLUSTER_ROLE instead of the subchart's.
    rbac: { useExistingClusterRole: GRAFANA_CLUSTER_ROLE },
    // Both secrets are Kubernetes Secrets the chart references by name, so their values never enter the
    // chart values (which Pulumi shows in every preview diff).
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
        ...signInByGroup(settings),
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

/** A JMESPath raw string literal; `\'` is its one escape for a quote (JMESPath specification, raw-string-escape). */
const jmespathString = (text: string) => `'${text.replace(/'/g, "\\'")}'`;

/**
 * Who may sign in, and as what: members of the admin group as Admin, of a viewer group as Viewer, nobody else.
 * Grafana refuses a user in none of `allowed_groups` (generic OAuth, IsGroupMember, which needs
 * `groups_attribute_path`), and with `role_attribute_strict` also one the role path gives no role: the path ends
 * in `false` rather than a catch-all role (pkg/login/social/connectors/social_base.go, extractRoleAndAdminOptional).
 * Lists are rendered as JSON arrays (the subchart's grafana.ini template), which Grafana reads as lists
 * (pkg/util/strings.go, SplitString), so group names may hold spaces.
 */
function signInByGroup(settings: GrafanaSettings) {
  // A quoted JMESPath identifier: the claim name as a JSON string.
  const groups = `${JSON.stringify(settings.groupsClaim)}[*]`;
  const member = (group: string) => `contains(${groups}, ${jmespathString(group)})`;
  const roles = [`${member(settings.adminGroup)} && 'Admin'`];
  if (settings.viewerGroups.length > 0) roles.push(`(${settings.viewerGroups.map(member).join(" || ")}) && 'Viewer'`);
  return {
    groups_attribute_path: JSON.stringify(settings.groupsClaim),
    allowed_groups: [...new Set([settings.adminGroup, ...settings.viewerGroups])],
    role_attribute_path: roles.join(" || "),
    role_attribute_strict: true,
  };
}
