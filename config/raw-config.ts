/**
 * The engine's config of a stack (`namespace:key` → text) sorted into plain keys, secret keys and keys of other
 * namespaces, and remembering which keys hold secrets, so that no error message ever shows their values.
 */
import { closestKey, looksSecret } from "./key-paths";
import type { Violation } from "./violation";
import { CONFIG_NAMESPACE, SECRET_KEYS } from "./schema";

export interface RawConfig {
  /** `platform:` keys other than the secret ones, values parsed. */
  readonly plain: Record<string, unknown>;
  /** The secret keys of `SECRET_KEYS`, values parsed. */
  readonly secret: Record<string, unknown>;
  /** Keys of other namespaces (full key → parsed value). */
  readonly foreign: Record<string, unknown>;
  /** Keys (`platform:` keys without the namespace, other keys in full) whose values must never be shown. */
  readonly redacted: ReadonlySet<string>;
  readonly violations: Violation[];
}

/** The project's own namespace: `pulumi config set teams …` (no namespace given) writes `k8s-platform:teams`. */
const PROJECT_NAMESPACE = "k8s-platform";

/**
 * @param isSecret whether the stack stores that key encrypted.
 * @param knownKeys the keys a stack file may hold below `platform:` (sections and secrets), for suggestions.
 */
export function splitRawConfig(raw: Record<string, string>, isSecret: (key: string) => boolean, knownKeys: readonly string[]): RawConfig {
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  const foreign: Record<string, unknown> = {};
  const redacted = new Set<string>();
  const violations: Violation[] = [];
  const secretKeys: readonly string[] = SECRET_KEYS;
  for (const [fullKey, text] of Object.entries(raw)) {
    const [namespace, key] = splitKey(fullKey);
    const value = parseValue(text);
    // Stored encrypted, named like a credential, or a misspelling of a secret key: its value is never shown.
    const secretLike = isSecret(fullKey) || looksSecret(key) || closestKey(key, secretKeys) !== undefined;
    if (namespace !== CONFIG_NAMESPACE) {
      foreign[fullKey] = value;
      if (secretLike) redacted.add(fullKey);
      violations.push({ namespace, path: key, expected: foreignKeyAdvice(namespace, key, knownKeys) });
    } else if (secretKeys.includes(key)) {
      secret[key] = value;
      redacted.add(key);
      if (!isSecret(fullKey))
        violations.push({ path: key, expected: `an encrypted value: set it with \`pulumi config set --secret ${fullKey}\`` });
    } else {
      plain[key] = value;
      if (secretLike) redacted.add(key);
    }
  }
  return { plain, secret, foreign, redacted, violations };
}

function splitKey(fullKey: string): [string, string] {
  const colon = fullKey.indexOf(":");
  return colon < 0 ? ["", fullKey] : [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
}

/** Objects and arrays arrive as JSON; scalars stay strings (a numeric password must not become a number). */
function parseValue(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function foreignKeyAdvice(namespace: string, key: string, knownKeys: readonly string[]): string {
  const suggestion = closestKey(key, knownKeys);
  const intended = `${CONFIG_NAMESPACE}:${suggestion ?? key}`;
  if (namespace === "aws" || namespace === "kubernetes") {
    return `no ${namespace}: keys: every resource uses the environment's explicit provider, so ambient provider config would be ignored; use ${CONFIG_NAMESPACE}:aws or ${CONFIG_NAMESPACE}:cluster`;
  }
  if (namespace === PROJECT_NAMESPACE || namespace === "") {
    return `${intended}: \`pulumi config set\` puts a key without a namespace under the project's, "${PROJECT_NAMESPACE}:"; this program reads ${CONFIG_NAMESPACE}: keys only`;
  }
  if (closestKey(namespace, [CONFIG_NAMESPACE])) {
    return `${intended}: the namespace "${namespace}" is a misspelling of "${CONFIG_NAMESPACE}"${suggestion && suggestion !== key ? ` (and "${key}" of "${suggestion}")` : ""}`;
  }
  return `only ${CONFIG_NAMESPACE}: keys (unknown namespace "${namespace}")`;
}
