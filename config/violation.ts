/** What a configuration rule returns: each key that breaks it, and what it expects there. */
import type { PlatformConfig, PlatformSecrets } from "./schema";

export interface Violation {
  /** Key path below `platform:` (config/key-paths.ts syntax), e.g. `teams[2].namespaces[0]` or `registryPasswords["quay.io"]`. */
  readonly path: string;
  readonly expected: string;
  /** For a key of another namespace (`aws:region`): that namespace, `path` being the key inside it. */
  readonly namespace?: string;
}

/** A rule across sections (what one key may be depends on another); config/rules.ts lists every one. */
export type Rule = (config: PlatformConfig, secrets: PlatformSecrets) => Violation[];
