import { AdminConfig } from "../../config/sections/hub";
import { DexStaticClient } from "./clients";

/** Dex expands `$VARS` in connector configs (not in static clients), so the bind password stays in a Secret. */
export const LDAP_BIND_PASSWORD_ENV = "LDAP_BIND_PW";

type LdapConfig = AdminConfig["dex"]["ldap"];

/** The Active Directory connector: users by account name, their groups into the `groups` claim. */
export function ldapConnector(ldap: LdapConfig) {
  const { userSearch, groupSearch } = ldap;
  return {
    type: "ldap",
    id: "active-directory",
    name: "Active Directory",
    config: {
      host: ldap.host,
      startTLS: ldap.startTLS,
      ...(ldap.rootCAData ? { rootCAData: ldap.rootCAData } : {}),
      bindDN: ldap.bindDN,
      bindPW: `$${LDAP_BIND_PASSWORD_ENV}`,
      usernamePrompt: "Directory username",
      userSearch: {
        baseDN: userSearch.baseDN,
        filter: userSearch.filter,
        username: userSearch.username,
        idAttr: userSearch.idAttr,
        emailAttr: userSearch.emailAttr,
        nameAttr: userSearch.nameAttr,
        preferredUsernameAttr: userSearch.username,
      },
      groupSearch: {
        baseDN: groupSearch.baseDN,
        filter: groupSearch.filter,
        userMatchers: [{ userAttr: groupSearch.userAttr, groupAttr: groupSearch.groupAttr }],
        nameAttr: groupSearch.nameAttr,
      },
    },
  };
}

/** Dex's own config file. State lives in Kubernetes custom resources, so replicas share it without a database. */
export function dexConfig(issuer: string, ldap: LdapConfig, clients: DexStaticClient[]) {
  return {
    issuer,
    storage: { type: "kubernetes", config: { inCluster: true } },
    web: { http: "0.0.0.0:5556" },
    oauth2: { skipApprovalScreen: true },
    // Every login goes through the directory: no local users to forget about.
    enablePasswordDB: false,
    connectors: [ldapConnector(ldap)],
    staticClients: clients,
  };
}
