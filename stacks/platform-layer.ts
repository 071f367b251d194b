import { ClusterHandle } from "../components/cluster/handle";
import { dockerConfigJson, PlatformRbac, Team } from "../components/tenancy";
import { Environment } from "./environment";

const MONITORING_NAMESPACE = "monitoring";

/**
 * Everything above the cluster, the same on every environment and on any existing cluster:
 * the RBAC model and the team namespaces.
 */
export function platformLayer(env: Environment, cluster: ClusterHandle) {
  const { config, secrets, naming } = env;
  const { provider } = cluster;
  const groupsPrefix = config.identity.oidc.groupsPrefix;

  new PlatformRbac("rbac", { provider, naming, groupsPrefix, infraGroup: config.identity.infraGroup, auditorGroup: config.identity.auditorGroup });

  const credentials = config.registries.pullCredentials.map((c) => ({ ...c, password: secrets.registryPasswords[c.server] }));
  const pullSecret = credentials.length > 0 ? dockerConfigJson(credentials) : undefined;
  const teams = config.teams.map(
    (team) =>
      new Team(team.name, { provider, naming, team, tenancy: config.tenancy, groupsPrefix, monitoringNamespace: MONITORING_NAMESPACE, pullSecret }),
  );

  return {
    teamNamespaces: Object.fromEntries(teams.map((t, i) => [config.teams[i].name, t.namespaces])),
  };
}
