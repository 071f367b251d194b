/**
 * Resolves image references to their manifest digests through the registries' HTTP API (the OCI distribution
 * spec, https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests): a HEAD of
 * `/v2/<repository>/manifests/<tag or digest>`, accepting image indexes and manifest lists as well as single
 * manifests, the digest read from `Docker-Content-Digest`. A registry that answers 401 with a Bearer challenge
 * (Docker Hub, ghcr.io, quay.io, public.ecr.aws, docker.elastic.co, …) gets an anonymous pull token from the realm
 * it names, as `docker pull` does (https://distribution.github.io/distribution/spec/auth/token/). HEAD because
 * Docker Hub does not count it against its pull rate limit (https://docs.docker.com/docker-hub/usage/pulls/).
 */
import { createHash } from "crypto";

export interface ImageReference {
  /** The registry as a reference names it: `docker.io` for Docker Hub. */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export type Resolution =
  | { readonly status: "resolved"; readonly digest: string; readonly mediaType?: string }
  | { readonly status: "missing"; readonly detail: string }
  | { readonly status: "not checked"; readonly detail: string };

export interface ResolverOptions {
  /** The base URL of a registry's API (tests point registries at a local server); by default `https://<host>`. */
  readonly endpoint?: (registry: string) => string;
  /** Per request. */
  readonly timeoutMs?: number;
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];
const DOCKER_HUB = "docker.io";
/** Docker Hub's API host (distribution/reference normalises `docker.io` and short names to it). */
const DOCKER_HUB_API = "registry-1.docker.io";

/**
 * A reference as distribution/reference reads it: the first path component is a registry when it has a `.` or
 * a `:` or is `localhost`, else the image is on Docker Hub, where a one-component name is under `library/`; no
 * tag and no digest means `latest`.
 */
export function parseReference(reference: string): ImageReference {
  const [name, digest] = reference.split("@");
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const [path, tag] = colon > slash ? [name.slice(0, colon), name.slice(colon + 1)] : [name, digest ? undefined : "latest"];
  const [first, ...rest] = path.split("/");
  const named = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = named ? first : DOCKER_HUB;
  const repository = named ? rest.join("/") : path;
  return {
    registry,
    repository: registry === DOCKER_HUB && !repository.includes("/") ? `library/${repository}` : repository,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** A network failure: the registry (or its token service) cannot be reached from here. */
class Unreachable extends Error {}
/** The token service refused this repository an anonymous token. */
class NoToken extends Error {}

export class RegistryResolver {
  private readonly tokens = new Map<string, Promise<string>>();
  /** Registries (and token realms) that could not be reached: every later image there is not checked, at once. */
  private readonly unreachable = new Map<string, string>();

  constructor(private readonly options: ResolverOptions = {}) {}

  async resolve(reference: string): Promise<Resolution> {
    const ref = parseReference(reference);
    const known = this.unreachable.get(ref.registry);
    if (known) return { status: "not checked", detail: known };
    try {
      return await this.manifest(ref);
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      this.unreachable.set(ref.registry, error.message);
      return { status: "not checked", detail: error.message };
    }
  }

  private async manifest(ref: ImageReference): Promise<Resolution> {
    const base = this.options.endpoint?.(ref.registry) ?? `https://${ref.registry === DOCKER_HUB ? DOCKER_HUB_API : ref.registry}`;
    let url = `${base}/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag}`;
    const what = `${ref.repository}:${ref.tag ?? ""}${ref.digest ? `@${ref.digest}` : ""}`.replace(/:@/, "@");
    let response = await this.request("HEAD", url);
    let token: string | undefined;
    if (response.status === 401) {
      const challenge = bearerChallenge(response.headers.get("www-authenticate"));
      if (!challenge)
        return { status: "not checked", detail: `${ref.registry} asks for credentials for ${ref.repository} (no anonymous token)` };
      try {
        token = await this.token(challenge, ref);
      } catch (error) {
        if (error instanceof NoToken) return { status: "not checked", detail: error.message };
        throw error;
      }
      // Asked again where the redirects led (registry.k8s.io is a redirect server, kubernetes/registry.k8s.io
      // cmd/archeio, sending clients on to a regional registry whose challenge this was): following them anew
      // would drop the token, as fetch does across origins.
      url = response.url || url;
      response = await this.request("HEAD", url, token);
    }
    if (response.status === 405) response = await this.request("GET", url, token);
    if (response.status === 404) return { status: "missing", detail: `${ref.registry} has no manifest ${what} (404)` };
    if (response.status === 401 || response.status === 403)
      return {
        status: "missing",
        detail: `${ref.registry} refused an anonymous pull of ${ref.repository} (${response.status}): no such repository, or a private one`,
      };
    if (response.status === 429) return { status: "not checked", detail: `${ref.registry} rate-limited the request (429)` };
    if (!response.ok) return { status: "not checked", detail: `${ref.registry} answered ${response.status} for ${what}` };

    const digest = response.headers.get("docker-content-digest") ?? (await this.digestOfBody(url, token));
    if (!digest) return { status: "not checked", detail: `${ref.registry} sent neither a digest nor the manifest of ${what}` };
    if (ref.digest && digest !== ref.digest)
      return { status: "missing", detail: `${ref.registry} answered ${digest} for ${what}: not the digest the reference pins` };
    return { status: "resolved", digest, mediaType: response.headers.get("content-type")?.split(";")[0] ?? undefined };
  }

  /** Without a digest header the digest is the SHA-256 of the manifest's bytes (OCI image spec, descriptor.md). */
  private async digestOfBody(url: string, token?: string): Promise<string | undefined> {
    const response = await this.request("GET", url, token);
    if (!response.ok) return undefined;
    return `sha256:${createHash("sha256")
      .update(Buffer.from(await response.arrayBuffer()))
      .digest("hex")}`;
  }

  /** An anonymous pull token for the repository, from the realm the registry's challenge names; one per realm and scope. */
  private token(challenge: Record<string, string>, ref: ImageReference): Promise<string> {
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set("service", challenge.service);
    url.searchParams.set("scope", challenge.scope ?? `repository:${ref.repository}:pull`);
    const key = url.toString();
    if (!this.tokens.has(key)) {
      const fetched = this.request("GET", key).then(async (response) => {
        if (!response.ok) throw new NoToken(`${url.host} gave no anonymous token for ${ref.repository} (${response.status})`);
        const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
        const token = body.token ?? body.access_token;
        if (!token) throw new NoToken(`${url.host} answered without a token for ${ref.repository}`);
        return token;
      });
      this.tokens.set(key, fetched);
    }
    return this.tokens.get(key)!;
  }

  private async request(method: "HEAD" | "GET", url: string, token?: string): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        headers: { Accept: MANIFEST_TYPES.join(", "), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        redirect: "follow",
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 20_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = (error as Error).name === "TimeoutError" ? "timed out" : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new Unreachable(`${new URL(url).host} unreachable: ${reason}`);
    }
  }
}

/** `Bearer realm="…",service="…",scope="…"` apart; undefined for any other scheme. */
export function bearerChallenge(header: string | null): Record<string, string> | undefined {
  const match = header && /^\s*Bearer\s+(.*)$/i.exec(header);
  if (!match) return undefined;
  const parameters: Record<string, string> = {};
  for (const [, key, quoted, bare] of match[1].matchAll(/([a-zA-Z_]+)=(?:"([^"]*)"|([^,\s]*))/g)) parameters[key] = quoted ?? bare;
  return parameters.realm ? parameters : undefined;
}
