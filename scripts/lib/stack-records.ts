/**
 * What the backend records of a stack, read with the pulumi CLI (scripts/lib/pulumi-cli.ts) and without decrypting
 * anything: its history, its exported state, where the backend is.
 */
import { pulumi } from "./pulumi-cli";

/** One entry of `pulumi stack history --json`, as far as the tools read it (the Automation API's UpdateSummary). */
export interface HistoryEntry {
  readonly version: number;
  readonly kind: string;
  readonly result: string;
  readonly startTime: Date | string;
  readonly endTime?: Date | string;
  readonly message: string;
  /** What the CLI recorded of where it ran: `git.head`, `git.dirty`, … */
  readonly environment?: Record<string, string>;
}

/** More entries than any stack has: its first page holds the whole history, on every backend. */
const WHOLE_HISTORY = 1_000_000;

/**
 * The whole history, newest first. Without a page size the CLI returns its 10 newest entries, and versions would
 * shift with every update (the DIY backends page as pkg/backend/diy/state.go, getHistory, does).
 */
export async function stackHistory(stack: string, cwd?: string): Promise<HistoryEntry[]> {
  const args = ["stack", "history", "--stack", stack, "--json", "--page-size", String(WHOLE_HISTORY), "--page", "1"];
  return JSON.parse((await pulumi(args, { cwd })).stdout || "[]") as HistoryEntry[];
}

/** `pulumi stack export`, as JSON text: secret values stay encrypted. */
export async function exportedState(stack: string, cwd?: string): Promise<string> {
  return (await pulumi(["stack", "export", "--stack", stack], { cwd })).stdout;
}

/** Where the state lives (`s3://…`, `file://…`, Pulumi Cloud's URL), for the operator to see which backend is touched. */
export async function backendUrl(cwd?: string): Promise<string> {
  const { url } = JSON.parse((await pulumi(["whoami", "--json"], { cwd })).stdout) as { url?: string };
  return url ?? "the current backend";
}

/** The stack's outputs with their secret values: a kubeconfig, an issuer URL. */
export async function stackOutputs(stack: string, cwd?: string): Promise<Record<string, unknown>> {
  return JSON.parse((await pulumi(["stack", "output", "--stack", stack, "--json", "--show-secrets"], { cwd })).stdout) as Record<
    string,
    unknown
  >;
}
