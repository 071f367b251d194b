import { dashboardClientIds } from "../../config/sections/hub";
import { Naming } from "../../lib/naming";

/** A Dex `staticClients` entry (field names as in Dex's config). */
export interface DexStaticClient {
  readonly id: string;
  readonly name: string;
  readonly redirectURIs: string[];
  /** Public clients (kubectl on a laptop) cannot keep a secret; they use PKCE instead. */
  readonly public?: boolean;
  /** Environment variable holding the client secret: Dex expands no `$VAR` in static clients, only this. */
  readonly secretEnv?: string;
}

/** Where kubelogin (`kubectl oidc-login`) listens for the authorization code: its default port and its fallback. */
const KUBECTL_REDIRECT_URIS = ["http://localhost:8000", "http://localhost:18000"];

export function secretEnvOf(clientId: string): string {
  return `${clientId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_CLIENT_SECRET`;
}

/**
 * kubectl (one public client shared by every cluster, whose API servers all expect its id as audience) and
 * the Grafana and Kibana of each environment (confidential, one client each, so that a leaked secret opens
 * one dashboard and can be rotated alone).
 */
export function dexClients(kubectlClientId: string, environments: Naming[]): DexStaticClient[] {
  const dashboards = environments.flatMap((naming) => {
    const ids = dashboardClientIds(naming.environment);
    return [
      {
        id: ids.grafana,
        name: `Grafana (${naming.environment})`,
        redirectURIs: [naming.url("grafana", "/login/generic_oauth")],
        secretEnv: secretEnvOf(ids.grafana),
      },
      {
        id: ids.kibana,
        name: `Kibana (${naming.environment})`,
        redirectURIs: [naming.url("kibana", "/oauth2/callback")],
        secretEnv: secretEnvOf(ids.kibana),
      },
    ];
  });
  return [{ id: kubectlClientId, name: "kubectl", redirectURIs: KUBECTL_REDIRECT_URIS, public: true }, ...dashboards];
}
