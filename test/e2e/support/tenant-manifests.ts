/**
 * The tenants of the tenant-boundaries suite and what they try to create: the `local` stack's two teams (beta
 * granted public ingress), the people who act for them, and the manifests of the kinds a team works with, each
 * valid as written (a restricted pod, its team's own names) so that a case changes only what it is about.
 */
import { Person } from "./tenant";

export const TEAMS = [
  {
    name: "alpha",
    owner: "alpha-lead@example.com",
    costCentre: "cc-2100-alpha",
    groups: { admins: ["team-alpha-leads"], developers: ["team-alpha"], viewers: ["team-alpha-support"] },
  },
  {
    name: "beta",
    owner: "beta-lead@example.com",
    costCentre: "cc-2200-beta",
    publicIngress: true,
    groups: { admins: ["team-beta-leads"], developers: ["team-beta"] },
  },
];
export const DEVELOPER: Person = { user: "dana@example.com", groups: ["oidc:team-alpha"] };
export const ADMIN: Person = { user: "ali@example.com", groups: ["oidc:team-alpha-leads"] };
export const BETA_DEVELOPER: Person = { user: "ben@example.com", groups: ["oidc:team-beta"] };
/** Naming.teamDomain of each team in the local stack (`platform:environment.domain: platform.localhost`). */
export const ALPHA_DOMAIN = "alpha.local.platform.localhost";
export const BETA_DOMAIN = "beta.local.platform.localhost";

export const meta = (name: string, extra: object = {}) => ({ name, namespace: "alpha", ...extra });
export const backend = { service: { name: "web", port: { number: 80 } } };
export const ingress = (spec: object = {}, annotations: Record<string, string> = {}) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: meta("web", { annotations }),
  spec: {
    ingressClassName: "alb",
    rules: [{ host: `web.${ALPHA_DOMAIN}`, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }],
    tls: [{ hosts: [`web.${ALPHA_DOMAIN}`], secretName: "web-tls" }],
    ...spec,
  },
});
export const service = (spec: object = {}, annotations: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: meta("web", { annotations }),
  spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});
/** A container that meets Pod Security `restricted`. */
const container = {
  name: "web",
  image: "registry.example.com/alpha/web:1.0.0",
  securityContext: {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  },
};
const podSpec = (extra: object = {}) => ({ containers: [container], ...extra });
export const pod = (extra: object = {}) => ({ apiVersion: "v1", kind: "Pod", metadata: meta("web"), spec: podSpec(extra) });
export const deployment = (extra: object = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: meta("web"),
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: podSpec(extra) },
  },
});
export const cronJob = (extra: object = {}) => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: meta("nightly"),
  spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: podSpec({ restartPolicy: "Never", ...extra }) } } } },
});
export const serviceMonitor = (endpoint: object = {}, spec: object = {}) => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "ServiceMonitor",
  metadata: meta("web"),
  spec: { selector: { matchLabels: { app: "web" } }, endpoints: [{ port: "http", ...endpoint }], ...spec },
});
export const podMonitor = (spec: object = {}) => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PodMonitor",
  metadata: meta("web"),
  spec: { selector: { matchLabels: { app: "web" } }, podMetricsEndpoints: [{ port: "http" }], ...spec },
});
export const certificate = (spec: object = {}) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: meta("web"),
  spec: {
    secretName: "web-tls",
    dnsNames: [`web.${ALPHA_DOMAIN}`],
    issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-staging" },
    ...spec,
  },
});
export const roleBinding = (name: string, role: string, namespace: string, user: string) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  metadata: { name, namespace },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
  subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
});
