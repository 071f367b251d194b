import { z } from "zod";
import { groupName, httpsUrl } from "../primitives";

export const identitySection = z.strictObject({
  oidc: z.strictObject({
    /** Absent: the Dex issuer published by the admin stack. */
    issuerUrl: httpsUrl.optional(),
    clientId: z.string().min(1).default("kubernetes"),
    usernameClaim: z.string().min(1).default("email"),
    groupsClaim: z.string().min(1).default("groups"),
    /** Prepended by the API server to every OIDC group, so directory groups cannot impersonate system groups. */
    groupsPrefix: z.string().regex(/^[a-z0-9-]+:$/, { message: "expected a prefix ending in ':' such as 'oidc:'" }).default("oidc:"),
  }),
  /** Directory group of the infra team: the only subject of cluster-wide admin bindings. */
  infraGroup: groupName,
  /** Directory group with cluster-wide read access, Secrets excluded. */
  auditorGroup: groupName,
});
