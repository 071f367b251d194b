/**
 * Server-side apply conflicts in a failed preview. The program's Kubernetes providers apply server-side
 * (enableServerSideApply), so a field they manage that someone changed with kubectl is owned by another field
 * manager, and the preview's dry-run apply is refused with the API server's conflict error (Kubernetes
 * apimachinery, `conflict with "<manager>" using <version>: <field>`, or `conflicts with "<manager>"` and one
 * `- <field>` line each): a change made outside Pulumi, that is drift, not a check that could not run. The engine
 * then cancels the rest of the preview, whose resources report `context canceled`. `pulumi up` takes the fields back
 * (measured with the toolchain's CLI and provider: a quota's field patched with kubectl, then `up --refresh`).
 */
import { PreviewDiagnostic, resourceOf } from "../lib/preview-json";

export interface FieldConflict {
  readonly resource: string;
  readonly fields: string[];
  readonly managers: string[];
}

const CONFLICT = /Server-Side Apply field conflict detected/;
const CANCELLED = /context canceled/;

/** The conflicts, if they are all that failed the preview (besides what the engine cancelled because of them). */
export function onlyFieldConflicts(diagnostics: readonly PreviewDiagnostic[]): FieldConflict[] | undefined {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const conflicts = errors.filter((d) => d.urn && CONFLICT.test(d.message ?? ""));
  if (conflicts.length === 0 || !errors.every((d) => conflicts.includes(d) || CANCELLED.test(d.message ?? ""))) return undefined;
  return conflicts.map((d) => {
    const message = d.message ?? "";
    const single = [...message.matchAll(/conflict with "[^"]+"(?: using [^:\s]+)?: (\S+)/g)].map((m) => m[1]);
    const listed = [...message.matchAll(/^- (\S+)/gm)].map((m) => m[1]);
    return {
      resource: resourceOf(d.urn!),
      fields: [...new Set([...single, ...listed])],
      managers: [...new Set([...message.matchAll(/conflicts? with "([^"]+)"/g)].map((m) => m[1]))],
    };
  });
}
