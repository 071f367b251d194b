/**
 * Every secret the config needs, present. A missing entry of a secret map is often a misspelled one
 * (`registryPasswords["quay.oi"]`): the message then names the entry that nothing uses, never its value.
 */
import { closestKey, keyPath } from "./key-paths";
import type { PlatformConfig } from "./schema";
import { dashboardClientIds } from "./sections/hub";
import type { Rule, Violation } from "./violation";

type SecretMap = "registryPasswords" | "alertReceiverSecrets" | "oidcClientSecrets";

interface NeededEntry {
  readonly map: SecretMap;
  readonly key: string;
  /** What the secret is, for the message. */
  readonly what: string;
}

function neededEntries(c: PlatformConfig): NeededEntry[] {
  const needed: NeededEntry[] = [];
  for (const { server } of c.registries.pullCredentials) {
    needed.push({ map: "registryPasswords", key: server, what: `the password for registries.pullCredentials ${server}` });
  }
  for (const { upstream, username } of c.registries.pullThroughCache) {
    if (username) needed.push({ map: "registryPasswords", key: upstream, what: `the token for the ${upstream} pull-through cache` });
  }
  const { monitoring, logging } = c.observability;
  if (monitoring.enabled) {
    for (const { name } of monitoring.alertmanager.receivers) {
      needed.push({ map: "alertReceiverSecrets", key: name, what: `the URL or key of alert receiver ${name}` });
    }
  }
  if (c.admin) {
    // Dex serves Grafana and Kibana of the hub and of every spoke, each a confidential client with its own secret.
    for (const env of [c.environment.kind, ...c.admin.spokes.map((spoke) => spoke.name)]) {
      for (const clientId of Object.values(dashboardClientIds(env))) {
        needed.push({ map: "oidcClientSecrets", key: clientId, what: `the Dex client secret of ${clientId} (at least 16 characters)` });
      }
    }
  } else {
    const clientIds = dashboardClientIds(c.environment.kind);
    if (monitoring.enabled)
      needed.push({
        map: "oidcClientSecrets",
        key: clientIds.grafana,
        what: `the Dex client secret of ${clientIds.grafana}, with which Grafana logs users in`,
      });
    if (logging.enabled)
      needed.push({
        map: "oidcClientSecrets",
        key: clientIds.kibana,
        what: `the Dex client secret of ${clientIds.kibana}, with which Kibana's oauth2-proxy logs users in`,
      });
  }
  return needed;
}

const secretsArePresent: Rule = (c, s) => {
  const violations: Violation[] = [];
  const missing = (path: string, what: string) => violations.push({ path, expected: `a secret: ${what}` });
  const needed = neededEntries(c);
  for (const { map, key, what } of needed) {
    if (s[map][key]) continue;
    const used = new Set(needed.filter((n) => n.map === map).map((n) => n.key));
    const misspelled = closestKey(
      key,
      Object.keys(s[map]).filter((k) => !used.has(k)),
    );
    missing(keyPath(map, key), misspelled ? `${what}; ${keyPath(map, misspelled)} is set but nothing uses it (a misspelling?)` : what);
  }
  if (c.observability.monitoring.enabled && !s.grafanaAdminPassword) missing("grafanaAdminPassword", "Grafana's admin password");
  if (c.admin && !s.ldapBindPassword) missing("ldapBindPassword", "the password of admin.dex.ldap.bindDN");
  if (c.admin && !s.githubAppPrivateKey) missing("githubAppPrivateKey", "the private key of the CI runners' GitHub App");
  return violations;
};

export const SECRET_RULES: Rule[] = [secretsArePresent];
