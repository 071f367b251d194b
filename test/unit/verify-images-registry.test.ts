/**
 * verify --images resolves references through the registry API, against a fake registry on 127.0.0.1 that
 * answers as Docker Hub, ghcr.io or quay.io do: 401 with a Bearer challenge, an anonymous token from the realm,
 * then the manifest (its digest in Docker-Content-Digest), 404 for a tag it does not have.
 */
import { bearerChallenge, parseReference, RegistryResolver } from "../../scripts/verify/images-registry";
import { closedPort, digestOf, FakeRegistry, INDEX, MANIFEST, startFakeRegistry, startRedirector } from "./verify-images-fake-registry";

const STORED = {
  "calico/node:v3.32.1": { body: '{"manifests":[]}', mediaType: INDEX },
  "library/busybox:1.37": { body: '{"layers":[1]}', mediaType: MANIFEST },
  "plain/headerless:1.0": { body: '{"layers":[2]}', mediaType: MANIFEST, withoutDigestHeader: true },
};

let registry: FakeRegistry;
beforeAll(async () => void (registry = await startFakeRegistry(STORED)));
afterAll(() => registry.close());
beforeEach(() => void (registry.seen.length = 0));
const base = () => registry.base;
const seen = () => registry.seen;

/** Every registry the references name is the fake one. */
const resolver = () => new RegistryResolver({ endpoint: base });

describe("references as distribution/reference reads them", () => {
  test.each([
    ["quay.io/calico/node:v3.32.1", { registry: "quay.io", repository: "calico/node", tag: "v3.32.1" }],
    ["busybox:1.37", { registry: "docker.io", repository: "library/busybox", tag: "1.37" }],
    ["docker.io/grafana/grafana:13.2.0", { registry: "docker.io", repository: "grafana/grafana", tag: "13.2.0" }],
    ["velero/velero", { registry: "docker.io", repository: "velero/velero", tag: "latest" }],
    ["localhost:5000/a/b@sha256:ab", { registry: "localhost:5000", repository: "a/b", digest: "sha256:ab" }],
    ["ghcr.io/x/y:1.0@sha256:cd", { registry: "ghcr.io", repository: "x/y", tag: "1.0", digest: "sha256:cd" }],
  ])("%s", (reference, expected) => {
    expect(parseReference(reference)).toEqual(expected);
  });

  test("a Bearer challenge apart; any other scheme is none", () => {
    expect(bearerChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull"')).toEqual(
      {
        realm: "https://auth.docker.io/token",
        service: "registry.docker.io",
        scope: "repository:a/b:pull",
      },
    );
    expect(bearerChallenge('Basic realm="x"')).toBeUndefined();
  });
});

describe("resolving through the registry API", () => {
  test("a tag: anonymous token from the challenge's realm, a HEAD accepting indexes, the digest from Docker-Content-Digest", async () => {
    const resolution = await resolver().resolve("quay.io/calico/node:v3.32.1");
    expect(resolution).toEqual({ status: "resolved", digest: digestOf(STORED["calico/node:v3.32.1"].body), mediaType: INDEX });
    expect(seen().map((s) => `${s.method} ${s.path} ${s.authorization ?? "-"}`)).toEqual([
      "HEAD /v2/calico/node/manifests/v3.32.1 -",
      "GET /token -",
      "HEAD /v2/calico/node/manifests/v3.32.1 Bearer anonymous-calico/node",
    ]);
  });

  test("a registry that redirects to another (registry.k8s.io): the token is used where the redirect led", async () => {
    const redirector = await startRedirector(base());
    try {
      const resolution = await new RegistryResolver({ endpoint: () => redirector.base }).resolve("registry.k8s.io/calico/node:v3.32.1");
      expect(resolution).toMatchObject({ status: "resolved", digest: digestOf(STORED["calico/node:v3.32.1"].body) });
      expect(redirector.seen.map((s) => s.authorization ?? "-")).toEqual(["-"]);
    } finally {
      await redirector.close();
    }
  });

  test("a Docker Hub short name is resolved under library/", async () => {
    const registries: string[] = [];
    const hub = new RegistryResolver({ endpoint: (registry) => (registries.push(registry), base()) });
    expect(await hub.resolve("busybox:1.37")).toMatchObject({ status: "resolved", digest: digestOf(STORED["library/busybox:1.37"].body) });
    expect(registries).toEqual(["docker.io"]);
  });

  test("without a digest header the digest is the SHA-256 of the manifest", async () => {
    expect(await resolver().resolve("example.org/plain/headerless:1.0")).toMatchObject({
      status: "resolved",
      digest: digestOf(STORED["plain/headerless:1.0"].body),
    });
    expect(seen().map((s) => s.method)).toContain("GET");
  });

  test("a tag the registry does not have is missing (404), named in full", async () => {
    expect(await resolver().resolve("quay.io/calico/node:v9.9.9")).toEqual({
      status: "missing",
      detail: "quay.io has no manifest calico/node:v9.9.9 (404)",
    });
  });

  test("a reference pinned by digest resolves to that digest, and a digest the registry lacks is missing", async () => {
    const digest = digestOf(STORED["calico/node:v3.32.1"].body);
    expect(await resolver().resolve(`quay.io/calico/node:v3.32.1@${digest}`)).toMatchObject({ status: "resolved", digest });
    expect(await resolver().resolve(`quay.io/calico/node@sha256:${"0".repeat(64)}`)).toMatchObject({ status: "missing" });
  });

  test("a rate limit or a registry that wants credentials is not checked, never resolved", async () => {
    expect(await resolver().resolve("quay.io/limited/x:1")).toEqual({
      status: "not checked",
      detail: "quay.io rate-limited the request (429)",
    });
    expect(await resolver().resolve("example.org/basic/x:1")).toEqual({
      status: "not checked",
      detail: "example.org asks for credentials for basic/x (no anonymous token)",
    });
  });

  test("an unreachable registry: not checked with the reason, and asked only once", async () => {
    const port = await closedPort();
    let asked = 0;
    const offline = new RegistryResolver({ endpoint: () => (asked++, `http://127.0.0.1:${port}`) });
    expect(await offline.resolve("quay.io/calico/node:v3.32.1")).toEqual({
      status: "not checked",
      detail: `127.0.0.1:${port} unreachable: ECONNREFUSED`,
    });
    expect(await offline.resolve("quay.io/calico/typha:v3.32.1")).toEqual({
      status: "not checked",
      detail: `127.0.0.1:${port} unreachable: ECONNREFUSED`,
    });
    expect(asked).toBe(1);
  });

  test("a registry whose name does not resolve (the default https endpoint): not checked, naming the host", async () => {
    const resolution = await new RegistryResolver({ timeoutMs: 10_000 }).resolve("registry.invalid/a/b:1");
    expect(resolution.status).toBe("not checked");
    expect(resolution).toMatchObject({ detail: expect.stringMatching(/^registry\.invalid unreachable: /) });
  });
});
