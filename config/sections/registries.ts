import { z } from "zod";
import { dnsLabel, hostname, positiveInt } from "../primitives";

export const UPSTREAM_REGISTRIES = ["quay.io", "registry-1.docker.io", "ghcr.io", "public.ecr.aws", "registry.k8s.io"] as const;

export const registriesSection = z.strictObject({
  /** ECR pull-through cache: `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/…` mirrors the upstream. */
  pullThroughCache: z
    .array(
      z.strictObject({
        prefix: dnsLabel,
        upstream: z.enum(UPSTREAM_REGISTRIES),
        /** Upstream needs credentials (Docker Hub, private Quay): taken from `platform:registryPasswords`. */
        username: z.string().min(1).optional(),
      }),
    )
    .default([]),
  /** ECR repositories for the company's own images. */
  repositories: z.array(z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, { message: "expected an ECR repository name" })).default([]),
  /** Registry garbage collection: what ECR lifecycle policies expire. */
  lifecycle: z
    .strictObject({ untaggedExpiryDays: positiveInt, keepTaggedImages: positiveInt })
    .default({ untaggedExpiryDays: 14, keepTaggedImages: 100 }),
  /** Registries that need an imagePullSecret in every team namespace; passwords from `platform:registryPasswords`. */
  pullCredentials: z.array(z.strictObject({ server: hostname, username: z.string().min(1) })).default([]),
});
export type RegistriesConfig = z.infer<typeof registriesSection>;
