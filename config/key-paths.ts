/**
 * Key paths as an operator writes them with `pulumi config set --path` (`cluster.nodePools[1].maxSize`,
 * `registryPasswords["quay.io"]`), the values found there as an error message shows them, and "did you mean"
 * suggestions for misspelled keys.
 */

export type Segment = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Path text of `segments`: `.name` for identifiers, `["…"]` for other keys (host names), `[n]` for indexes. */
export function formatPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((acc, segment) => {
    if (typeof segment === "number") return `${acc}[${segment}]`;
    const key = String(segment);
    if (IDENTIFIER.test(key)) return acc ? `${acc}.${key}` : key;
    return `${acc}[${JSON.stringify(key)}]`;
  }, "");
}

/** `base` and one more key, e.g. `keyPath("registryPasswords", "quay.io")` is `registryPasswords["quay.io"]`. */
export function keyPath(base: string, key: string): string {
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** The segments of a path made by `formatPath` (or written by hand in the same syntax). */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  const token = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of path.matchAll(token)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3]) as string);
  }
  return segments;
}

export function valueAt(root: unknown, segments: readonly Segment[]): unknown {
  return segments.reduce<unknown>(
    (node, segment) => (node && typeof node === "object" ? (node as Record<Segment, unknown>)[segment] : undefined),
    root,
  );
}

/** Names that hold credentials wherever they appear, so that their values are never shown. */
const SECRET_NAME = /pass(word|wd)?|secret|token|private|access.?key|api.?key/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

const MAX_SHOWN = 80;

/**
 * A value as an error message shows it: JSON, shortened; values under credential-like names are replaced, and a
 * multi-line text (a PEM key, a kubeconfig) is never shown.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return "(not set)";
  if (typeof value === "string" && value.includes("\n")) return `[${value.split("\n").length} lines, not shown]`;
  const text = JSON.stringify(withoutSecrets(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, looksSecret(k) ? "[secret]" : withoutSecrets(v)]));
  }
  if (typeof value === "string" && value.includes("\n")) return "[not shown]";
  return value;
}

/**
 * The known key closest to `key`, for a "did you mean": case and plural are ignored, and a swap of two
 * neighbouring letters counts as one edit; up to two edits (one for keys of four letters or fewer, where two
 * edits make any word).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const limit = key.length <= 4 ? 1 : 2;
  const scored = known
    .map((candidate) => ({ candidate, distance: editDistance(singular(candidate), singular(key)) }))
    .filter(({ distance }) => distance <= limit)
    .sort((a, b) => a.distance - b.distance);
  return scored[0]?.candidate;
}

/** Lower case, and singular: `severity` is meant as `severities`, `receiver` as `receivers`. */
function singular(key: string): string {
  return key.toLowerCase().replace(/ies$/, "y").replace(/s$/, "");
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d = [...Array(a.length + 1)].map((_, i) => [...Array(b.length + 1)].map((_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
