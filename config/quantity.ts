/** Kubernetes quantities (`500m`, `2`, `512Mi`) as numbers, to compare a request with its limit before deploy. */

const FACTORS: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** The value of a quantity as config/primitives.ts `quantity` accepts it; undefined for anything else. */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text);
  return match ? Number(match[1]) * FACTORS[match[2] ?? ""] : undefined;
}

/** Whether quantity `a` is larger than `b`; false when either is not a quantity (its own check reports it). */
export function quantityExceeds(a: unknown, b: unknown): boolean {
  const [x, y] = [parseQuantity(a), parseQuantity(b)];
  return x !== undefined && y !== undefined && x > y;
}
