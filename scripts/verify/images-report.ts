/**
 * What `verify --images` found: each image the stack runs with its digest (or why it has none), each EKS add-on
 * build, the failures they make, and the tables the report shows (report.ts lays them out as text or Markdown).
 * What could not be checked fails verify unless `--images-unchecked-ok` accepts it; it is never left out.
 */
import { AddonCheck } from "./images-addons";
import { StackImage } from "./images";
import { Resolution } from "./images-registry";

export interface CheckedImage extends StackImage {
  readonly resolution: Resolution;
}

export interface ImageCheck {
  readonly images: readonly CheckedImage[];
  readonly addons: readonly AddonCheck[];
  /** `--images-unchecked-ok`: what could not be checked is reported, and does not fail verify. */
  readonly uncheckedAccepted: boolean;
}

export const UNCHECKED_OK_OPTION = "--images-unchecked-ok";

const components = (image: StackImage) => [...new Set(image.users.map((u) => u.component))].sort().join(", ");
const uncheckedImages = (check: ImageCheck) =>
  check.images.flatMap((i) => (i.resolution.status === "not checked" ? [{ ...i, detail: i.resolution.detail }] : []));
const uncheckedAddons = (check: ImageCheck) => check.addons.filter((a) => a.status === "not checked");

export function uncheckedCount(check: ImageCheck): number {
  return uncheckedImages(check).length + uncheckedAddons(check).length;
}

export function imageFailures(stack: string, check: ImageCheck): string[] {
  const missing = check.images.flatMap((image) =>
    image.resolution.status === "missing"
      ? [
          `${stack}: images: ${image.upstream}${image.cache ? ` (pulled through ${image.cache})` : ""}, run by ${components(image)}, ` +
            `does not resolve: ${image.resolution.detail}`,
        ]
      : [],
  );
  const missingAddons = check.addons
    .filter((a) => a.status === "missing")
    .map((a) => `${stack}: EKS add-on ${a.name} ${a.version} does not resolve: ${a.detail}`);
  const unchecked = uncheckedCount(check);
  const reasons = [...new Set([...uncheckedImages(check).map((i) => i.detail), ...uncheckedAddons(check).map((a) => a.detail)])];
  const notChecked =
    unchecked > 0 && !check.uncheckedAccepted
      ? [
          `${stack}: images: could not check ${uncheckedImages(check).length} of ${check.images.length} images and ` +
            `${uncheckedAddons(check).length} of ${check.addons.length} EKS add-ons (${reasons.join("; ")}): nothing vouches for them; ` +
            `run where the registries and AWS are reachable, or accept this with ${UNCHECKED_OK_OPTION}`,
        ]
      : [];
  return [...missing, ...missingAddons, ...notChecked];
}

/** One line for the verdict: how many resolved, how many are missing, how many were not checked. */
export function imageSummary(check: ImageCheck): string {
  const counts = (statuses: readonly string[], what: string) => {
    const count = (status: string) => statuses.filter((s) => s === status).length;
    const missing = count("missing") > 0 ? `, ${count("missing")} MISSING` : "";
    const unchecked = count("not checked") > 0 ? `, ${count("not checked")} NOT CHECKED` : "";
    return `${what}: ${count("resolved")} of ${statuses.length} resolved${missing}${unchecked}`;
  };
  const accepted = uncheckedCount(check) > 0 && check.uncheckedAccepted ? `; not checked, accepted by ${UNCHECKED_OK_OPTION}` : "";
  return `${counts(
    check.images.map((i) => i.resolution.status),
    "images",
  )}; ${counts(
    check.addons.map((a) => a.status),
    "EKS add-ons",
  )}${accepted}`;
}

function status(resolution: Resolution): string {
  if (resolution.status === "resolved")
    return `${resolution.digest}${resolution.mediaType?.includes("index") || resolution.mediaType?.includes("list") ? " (index)" : ""}`;
  return `${resolution.status === "missing" ? "MISSING" : "not checked"}: ${resolution.detail}`;
}

/** Image, digest or status, the cache it comes through, the components that run it. */
export function imageTable(check: ImageCheck): string[][] {
  return [
    ["image (resolved at its upstream)", "digest", "pulled through", "run by"],
    ...check.images.map((image) => [image.upstream, status(image.resolution), image.cache ?? "", components(image)]),
  ];
}

export function addonTable(check: ImageCheck): string[][] {
  return [
    ["EKS add-on", "build", "Kubernetes", "status"],
    ...check.addons.map((a) => [
      a.name,
      a.version,
      a.kubernetesVersion,
      a.status === "resolved" ? a.detail : `${a.status === "missing" ? "MISSING" : "not checked"}: ${a.detail}`,
    ]),
  ];
}
