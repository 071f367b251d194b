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

/**
 * A registry host where a chart takes the registry apart from the repository (`image.registry`, or a global
 * `imageRegistry`): the ECR path that caches it, else the host unchanged. Docker Hub's official images would
 * also need `library/` in their repository, which this cannot add: use `throughMirror` for those.
 */
export function registryThroughMirror(registry: string, mirrors: RegistryMirrors): string {
  return mirrors[registry === "docker.io" ? DOCKER_HUB : registry] ?? registry;
}

interface PodTemplate {
  readonly spec: { readonly containers?: readonly { image?: string }[]; readonly initContainers?: readonly { image?: string }[] };
}

/** A pod template whose every container (init and sidecar containers included) pulls through the caches. */
export function podTemplateThroughMirror<T extends PodTemplate>(template: T, mirrors: RegistryMirrors): T {
  const mirrored = <C extends { image?: string }>(containers?: readonly C[]) =>
    containers?.map((c) => (c.image === undefined ? c : { ...c, image: throughMirror(c.image, mirrors) }));
  const { containers, initContainers } = template.spec;
  return {
    ...template,
    spec: {
      ...template.spec,
      ...(containers ? { containers: mirrored(containers) } : {}),
      ...(initContainers ? { initContainers: mirrored(initContainers) } : {}),
    },
  };
}
