/** What `pulumi preview --json` prints (pulumi pkg/display/json.go, PreviewDigest), as far as the tools read it. */

export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly oldState?: PreviewState;
  readonly newState?: PreviewState;
  readonly diffReasons?: string[];
  /** Per-property differences, keyed by property path (`spec.hard.pods`). */
  readonly detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
}

export interface PreviewState {
  readonly type?: string;
  readonly parent?: string;
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

export interface PreviewDiagnostic {
  readonly urn?: string;
  readonly message?: string;
  readonly severity?: string;
}

export interface PreviewJson {
  readonly steps?: PreviewStep[];
  readonly diagnostics?: PreviewDiagnostic[];
  readonly changeSummary?: Record<string, number>;
}

/**
 * Operations that change nothing: a StackReference (a shard's environment) is read on every run, and `preview
 * --refresh` reads every resource first (measured with the CLI 3.274: a `refresh` step each, which its
 * changeSummary counts as `same`; what a refresh found different shows as the step that follows).
 */
export const UNCHANGED_OPS = new Set(["same", "read", "refresh"]);

/** The steps of a preview that would change something. */
export function changingSteps(preview: PreviewJson): PreviewStep[] {
  return (preview.steps ?? []).filter((step) => !UNCHANGED_OPS.has(step.op));
}

/** `<type>::<name>` of a URN, as people read it. */
export function resourceOf(urn: string): string {
  const [, , type, name] = urn.split("::");
  return `${type.split("$").pop()}::${name}`;
}

/** The error diagnostics of a failed `--json` run, one line each (its stdout holds them, not its stderr). */
export function errorLines(stdout: string): string[] {
  let parsed: PreviewJson;
  try {
    parsed = JSON.parse(stdout) as PreviewJson;
  } catch {
    return [];
  }
  return (parsed.diagnostics ?? [])
    .filter((d) => d.severity === "error")
    .map((d) => `${d.urn ? `${resourceOf(d.urn)}: ` : ""}${d.message?.trim()}`);
}
