/**
 * The shape of one environment's configuration: every `platform:<section>` key of a `Pulumi.<stack>.yaml`.
 * Sections are strict (unknown keys are errors, so a typo never silently falls back to a default).
 */
import { z } from "zod";
import { calicoSection } from "./sections/calico";
import { clusterSection } from "./sections/cluster";
import { awsSection, environmentSection } from "./sections/environment";
import { adminSection, hubSection } from "./sections/hub";
import { identitySection } from "./sections/identity";
import { networkSection } from "./sections/network";
import { observabilitySection } from "./sections/observability";
import { registriesSection } from "./sections/registries";
import { servicesSection } from "./sections/services";
import { teamsSection, tenancySection } from "./sections/tenancy";

export const CONFIG_NAMESPACE = "platform";

export const platformSchema = z.strictObject({
  environment: environmentSection,
  aws: awsSection.optional(),
  network: networkSection.optional(),
  cluster: clusterSection,
  calico: calicoSection.optional(),
  identity: identitySection,
  tenancy: tenancySection,
  teams: teamsSection,
  registries: registriesSection.default({
    pullThroughCache: [],
    repositories: [],
    lifecycle: { untaggedExpiryDays: 14, keepTaggedImages: 100 },
    pullCredentials: [],
  }),
  observability: observabilitySection,
  services: servicesSection,
  hub: hubSection.optional(),
  admin: adminSection.optional(),
});

/** Secret keys: set with `pulumi config set --secret` (or `--path --secret` for the maps), never in plain text. */
export const secretsSchema = z.strictObject({
  /** Registry host (pull credentials) or upstream (pull-through cache) → password or token. */
  registryPasswords: z.record(z.string(), z.string().min(1)).default({}),
  /** Alertmanager receiver name → Slack/webhook URL or PagerDuty routing key. */
  alertReceiverSecrets: z.record(z.string(), z.string().min(1)).default({}),
  grafanaAdminPassword: z.string().min(12, { message: "expected at least 12 characters" }).optional(),
  /** Dex static client id → client secret. */
  oidcClientSecrets: z.record(z.string(), z.string().min(16, { message: "expected at least 16 characters" })).default({}),
  ldapBindPassword: z.string().min(1).optional(),
  githubAppPrivateKey: z
    .string()
    .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: "expected a PEM private key" })
    .optional(),
});

export type PlatformConfig = z.infer<typeof platformSchema>;
export type PlatformSecrets = z.infer<typeof secretsSchema>;
export type SecretKey = keyof PlatformSecrets;
export const SECRET_KEYS = Object.keys(secretsSchema.shape) as SecretKey[];
