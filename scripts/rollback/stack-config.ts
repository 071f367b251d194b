/**
 * The stack settings file (`Pulumi.<stack>.yaml`) of the version rolled back to, compared with HEAD's: the
 * config diff is shown before every confirmation, and a change of secrets provider refuses the rollback.
 */
import { secretsProvider } from "../lib/settings";
import { RollbackRefused } from "./refusals";

/** `Pulumi.<stack>.yaml` of a stack name (`prod`, or `<org>/<project>/prod`). */
export function stackFile(stack: string): string {
  return `Pulumi.${stack.split("/").pop()}.yaml`;
}

/**
 * The target's `secure:` values are ciphertexts of its provider, and `up` writes the state with the provider
 * its stack file names: across a change of provider the rollback would need the old key (a passphrase CI no
 * longer has, a retired KMS key) and would move the state back to it.
 */
export function refuseOtherSecretsProvider(
  stack: string,
  target: { version: number; commit: string },
  targetFile: string | undefined,
  headFile: string | undefined,
): void {
  const then = secretsProvider(targetFile);
  const now = secretsProvider(headFile);
  if (then === now) return;
  throw new RollbackRefused(
    [
      `the secrets provider of ${stack} differs between version ${target.version} and HEAD (${stackFile(stack)}, diff above):`,
      `  version ${target.version} (commit ${target.commit.slice(0, 12)}): ${then}`,
      `  HEAD: ${now}`,
      `Its secure values were encrypted by the older provider, and the update would write the state with it. Deploy a fix`,
      `forward instead, or choose a version deployed with the current provider (see --list).`,
    ].join("\n"),
  );
}
