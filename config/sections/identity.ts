import { z } from "zod";
import { groupName, httpsUrl } from "../primitives";

/** EKS OidcIdentityProviderConfigRequest: "The prefix can't contain system:" (Kubernetes reserves it for its own). */
const oidcPrefix = (what: string) =>
  z
    .string()
    .regex(/^[a-z0-9-]+:$/, { message: "expected a prefix ending in ':' such as 'oidc:'" })
    .refine((prefix) => !prefix.includes("system:"), {
      message: `expected a prefix other than 'system:', which Kubernetes reserves for its own ${what} (EKS refuses it)`,
    })
    .default("oidc:");

export const identitySection = z.strictObject({
  oidc: z.strictObject({
    /** Absent: the Dex issuer published by the admin stack. */
    issuerUrl: httpsUrl.optional(),
    clientId: z.string().min(1, { message: "expected a client id" }).default("kubernetes"),
    usernameClaim: z.string().min(1, { message: "expected a claim name such as email" }).default("email"),
    groupsClaim: z.string().min(1, { message: "expected a claim name such as groups" }).default("groups"),
    /** Prepended by the API server to every OIDC group, so directory groups cannot impersonate system groups. */
    groupsPrefix: oidcPrefix("groups"),
    /**
     * Prepended to every OIDC username, so that a directory attribute (the `email` claim is the directory's `mail`,
     * which is often writable far more widely than group membership) can never name a Kubernetes user such as
     * `system:kube-controller-manager`: the API server refuses no `system:` username from OIDC. Bind people by
     * `<prefix><email>`.
     */
    usernamePrefix: oidcPrefix("usernames"),
  }),
  /**
   * Directory group of the infra team: the only subject of cluster-wide admin bindings. Grafana's role mapping
   * quotes it in a JMESPath string ('…'), so it cannot contain a single quote.
   */
  infraGroup: groupName.refine((group) => !group.includes("'"), {
    message:
      "expected a group name without a single quote: Grafana's admin-role mapping quotes the infra group in a JMESPath string literal",
  }),
  /** Directory group with cluster-wide read access, Secrets excluded. */
  auditorGroup: groupName,
});
