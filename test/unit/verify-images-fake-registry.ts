/**
 * A registry on 127.0.0.1 that answers as Docker Hub, ghcr.io or quay.io do: a manifest request without a token
 * gets 401 with a Bearer challenge naming its token realm, the realm hands out an anonymous pull token, and with
 * it the manifest is served (its digest in Docker-Content-Digest, an index only to a client that accepts one),
 * 404 for what it does not hold, 429 under `limited/`, a Basic challenge under `basic/`.
 */
import { createHash } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";

export const INDEX = "application/vnd.oci.image.index.v1+json";
export const MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const digestOf = (body: string) => `sha256:${createHash("sha256").update(body).digest("hex")}`;

export interface Stored {
  readonly body: string;
  readonly mediaType: string;
  /** Some registries send no digest header: the client hashes the manifest. */
  readonly withoutDigestHeader?: boolean;
}

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
}

export interface FakeRegistry {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Every request, in order. */
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** `stored`: `<repository>:<tag>` → manifest; each is also served by its digest. */
export async function startFakeRegistry(stored: Record<string, Stored>): Promise<FakeRegistry> {
  const manifests = { ...stored };
  for (const [key, manifest] of Object.entries(stored)) manifests[`${key.split(":")[0]}:${digestOf(manifest.body)}`] = manifest;
  const seen: Seen[] = [];
  let base = "";
  const server = http.createServer((request, response) => {
    const url = new URL(request.url!, base);
    seen.push({ method: request.method!, path: url.pathname, authorization: request.headers.authorization });
    if (url.pathname === "/token") {
      const repository = /^repository:(.+):pull$/.exec(url.searchParams.get("scope") ?? "")?.[1];
      if (url.searchParams.get("service") !== "fake-registry" || !repository) return void response.writeHead(400).end();
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token: `anonymous-${repository}` }));
      return;
    }
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!manifest) return void response.writeHead(404).end();
    const [, repository, reference] = manifest;
    if (repository.startsWith("limited/")) return void response.writeHead(429).end();
    if (repository.startsWith("basic/")) return void response.writeHead(401, { "WWW-Authenticate": 'Basic realm="fake"' }).end();
    if (request.headers.authorization !== `Bearer anonymous-${repository}`) {
      response.writeHead(401, {
        "WWW-Authenticate": `Bearer realm="${base}/token",service="fake-registry",scope="repository:${repository}:pull"`,
      });
      return void response.end();
    }
    const found = manifests[`${repository}:${reference}`];
    if (!found || !request.headers.accept?.split(/,\s*/).includes(found.mediaType)) return void response.writeHead(404).end();
    response.writeHead(200, {
      "Content-Type": found.mediaType,
      ...(found.withoutDigestHeader ? {} : { "Docker-Content-Digest": digestOf(found.body) }),
    });
    response.end(request.method === "HEAD" ? undefined : found.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A registry that sends every request on to `target` (307), as registry.k8s.io sends clients to a regional registry. */
export async function startRedirector(target: string): Promise<FakeRegistry> {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    seen.push({ method: request.method!, path: request.url!, authorization: request.headers.authorization });
    response.writeHead(307, { Location: `${target}${request.url}` }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
