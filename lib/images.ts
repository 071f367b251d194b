/**
 * Image references through the environment's ECR pull-through caches (components/registry), so that nodes pull
 * from inside AWS rather than through NAT from upstreams that rate-limit, and the allowed-registries policy
 * sees ECR. An image whose upstream has no cache rule is left as it is.
 */

/** Docker Hub as ECR pull-through cache rules name it (config/sections/registries.ts UPSTREAM_REGISTRIES). */
const DOCKER_HUB = "registry-1.docker.io";

/** Upstream registry host → the ECR path that caches it (`<account>.dkr.ecr.<region>.amazonaws.com/<prefix>`). */
export type RegistryMirrors = Readonly<Record<string, string>>;

/** `host/path` apart, as charts with `image.registry` and `image.repository` values want them. */
export function registryAndRepository(image: string): { registry: string; repository: string } {
  const slash = image.indexOf("/");
  return { registry: image.slice(0, slash), repository: image.slice(slash + 1) };
}

export function throughMirror(image: string, mirrors: RegistryMirrors): string {
  const [first, ...rest] = image.split("/");
  const named = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const host = !named || first === "docker.io" ? DOCKER_HUB : first;
  const path = named ? rest.join("/") : image;
  const mirror = mirrors[host];
  if (!mirror) return image;
  // Docker Hub's official images live under `library/`, which its short names leave out.
  return `${mirror}/${host === DOCKER_HUB && !path.includes("/") ? `library/${path}` : path}`;
}
