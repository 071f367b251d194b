/**
 * The nightly drift check of one stack: refresh it from the cloud and the cluster, and preview the program it runs
 * against the refreshed state. A change means something was edited or deleted outside Pulumi. It runs as the
 * stack's preview role, which reads everything but secrets (components/pipeline-access), so what holds secret
 * values is left out of the refresh, and the report says what was not checked and why.
 */
import { PulumiResult } from "../lib/pulumi-cli";
import { changingSteps, errorLines, PreviewJson, PreviewStep, resourceOf } from "../lib/preview-json";
import { FieldConflict, onlyFieldConflicts } from "./conflicts";

/** What the refresh leaves out: `--exclude` globs (`**` matches across a URN's segments) and why. */
export const NOT_CHECKED = [
  { type: "kubernetes:core/v1:Secret", what: "Kubernetes Secrets", why: "the preview role reads no Secret" },
  {
    type: "aws:secretsmanager/secretVersion:SecretVersion",
    what: "Secrets Manager secret versions",
    why: "refreshing one reads its value (GetSecretValue), which the preview role is denied",
  },
  {
    type: "kubernetes:helm.sh/v3:Release",
    what: "Helm releases",
    why: "Helm keeps a release's record in Secrets of its namespace and lists them to read it",
  },
] as const;

export const excludeArgs = (): string[] => NOT_CHECKED.flatMap(({ type }) => ["--exclude", `**${type}::**`]);

export type DriftStatus = "clean" | "drift" | "failed";

export interface DriftResult {
  readonly status: DriftStatus;
  /** For the job log and the stack's drift issue. */
  readonly report: string;
}

export interface DriftDeps {
  /** `pulumi <args>` with the backend login; resolves stdout and the exit code, whatever it is. */
  pulumi(args: string[]): Promise<PulumiResult>;
}

export async function checkDrift(stack: string, policyArgs: string[], deps: DriftDeps): Promise<DriftResult> {
  const notChecked = leftOut(JSON.parse((await deps.pulumi(["stack", "export", "--stack", stack])).stdout));
  const { code, stdout } = await deps.pulumi(["preview", "--stack", stack, "--refresh", "--json", ...excludeArgs(), ...policyArgs]);
  const preview = parsePreview(stdout);
  const conflicts = code !== 0 ? onlyFieldConflicts(preview?.diagnostics ?? []) : undefined;
  if (conflicts) {
    return {
      status: "drift",
      report:
        `Drift on ${stack}: ${conflicts.length} resource(s) have fields another field manager changed outside Pulumi, which the ` +
        "preview's dry-run apply conflicts with (`pulumi up` takes them back):\n" +
        `${conflicts.map(describeConflict).join("\n")}\n${notChecked}`,
    };
  }
  if (code !== 0 || preview === undefined) {
    const errors = errorLines(stdout).map((line) => `  ${line}`);
    const detail = errors.length > 0 ? errors.join("\n") : "  (no diagnostics: see the CLI's output above)";
    return {
      status: "failed",
      report: `The drift check of ${stack} could not run (pulumi preview exited with ${code}):\n${detail}\n${notChecked}`,
    };
  }
  const changes = changingSteps(preview);
  if (changes.length === 0) return { status: "clean", report: `No drift: ${stack} matches the program it runs.\n${notChecked}` };
  return {
    status: "drift",
    report: `Drift on ${stack}: ${changes.length} resource(s) differ from the program it runs (changed outside Pulumi):\n${changes.map(describe).join("\n")}\n${notChecked}`,
  };
}

/** One line per changed resource: what the program would do to it, and which properties differ. */
function describe(step: PreviewStep): string {
  const properties = Object.keys(step.detailedDiff ?? {}).length > 0 ? Object.keys(step.detailedDiff!) : (step.diffReasons ?? []);
  return `  ${step.op} ${resourceOf(step.urn)}${properties.length > 0 ? `: ${properties.join(", ")}` : ""}`;
}

/** The update the program would make, and who changed the fields it would take back. */
function describeConflict(conflict: FieldConflict): string {
  return `  update ${conflict.resource}: ${conflict.fields.join(", ")} (changed by ${conflict.managers.join(", ")})`;
}

/** The stack's resources the refresh leaves out, counted by kind, with the reason. */
function leftOut(exported: { deployment?: { resources?: { type: string }[] } }): string {
  const resources = exported.deployment?.resources ?? [];
  const lines = NOT_CHECKED.flatMap(({ type, what, why }) => {
    const count = resources.filter((r) => r.type === type).length;
    return count > 0 ? [`  ${count} ${what}: ${why}`] : [];
  });
  return lines.length > 0 ? `Not checked:\n${lines.join("\n")}` : "";
}

function parsePreview(stdout: string): PreviewJson | undefined {
  try {
    return JSON.parse(stdout) as PreviewJson;
  } catch {
    return undefined;
  }
}
