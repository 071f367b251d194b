import { z } from "zod";
import { dnsLabel, hostname, noDuplicates, positiveInt } from "../primitives";

export const UPSTREAM_REGISTRIES = ["quay.io", "registry-1.docker.io", "ghcr.io", "public.ecr.aws", "registry.k8s.io"] as const;
/** Upstreams ECR only caches from with credentials (the others serve public images anonymously). */
export const AUTHENTICATED_UPSTREAMS: readonly string[] = ["registry-1.docker.io", "ghcr.io"];

const pullThroughCacheRule = z.strictObject({
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream repository>` mirrors the upstream. */
  prefix: dnsLabel.refine((p) => p.length >= 2 && p.length <= 30, { message: "expected 2 to 30 characters (ECR repository prefix)" }),
  upstream: z.enum(UPSTREAM_REGISTRIES),
  /** Upstream account (Docker Hub, GitHub, private Quay): its token comes from `platform:registryPasswords`. */
  username: z.string().min(1).optional(),
});

export const registriesSection = z
  .strictObject({
    /** ECR pull-through cache: images of public registries pulled once, then served from the account's ECR. */
    pullThroughCache: z.array(pullThroughCacheRule).default([]),
    /** ECR repositories for the company's own images. */
    repositories: z
      .array(z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, { message: "expected an ECR repository name" }))
      .default([])
      .superRefine(noDuplicates("a repository name")),
    /** Registry garbage collection: what ECR lifecycle policies expire, in own repositories and cached ones. */
    lifecycle: z
      .strictObject({
        /** Days an untagged image (a layer set no tag points at any more) is kept. */
        untaggedExpiryDays: positiveInt,
        /** Tagged images kept per repository; the oldest beyond this count expire. */
        keepTaggedImages: positiveInt,
      })
      .default({ untaggedExpiryDays: 14, keepTaggedImages: 100 }),
    /** Registries that need an imagePullSecret in every team namespace; passwords from `platform:registryPasswords`. */
    pullCredentials: z
      .array(z.strictObject({ server: hostname, username: z.string().min(1, { message: "expected a username" }) }))
      .default([])
      .superRefine(noDuplicates("a server (one password per server in registryPasswords)", (c) => c.server, "server")),
  })
  .superRefine((registries, ctx) => {
    const prefixes = registries.pullThroughCache.map((rule) => rule.prefix);
    registries.pullThroughCache.forEach((rule, i) => {
      if (prefixes.indexOf(rule.prefix) !== i) {
        ctx.addIssue({
          code: "custom",
          path: ["pullThroughCache", i, "prefix"],
          message: `expected a prefix not used by another rule ("${rule.prefix}" is taken)`,
        });
      }
      if (AUTHENTICATED_UPSTREAMS.includes(rule.upstream) && !rule.username) {
        ctx.addIssue({
          code: "custom",
          path: ["pullThroughCache", i, "username"],
          message: `expected a username: ECR caches ${rule.upstream} only with credentials`,
        });
      }
    });
    registries.repositories.forEach((repository, i) => {
      const prefix = prefixes.find((p) => repository.startsWith(`${p}/`));
      if (prefix) {
        ctx.addIssue({
          code: "custom",
          path: ["repositories", i],
          message: `expected a name outside the pull-through cache prefix "${prefix}/" (ECR would treat it as a cached upstream image)`,
        });
      }
    });
  });
export type RegistriesConfig = z.infer<typeof registriesSection>;
export type PullThroughCacheRule = z.infer<typeof pullThroughCacheRule>;
