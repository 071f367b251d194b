/**
 * One way for the tools to run the `pulumi` CLI on PATH, with its current backend login: non-interactive, with
 * update plans available (`up --plan` is hidden unless PULUMI_EXPERIMENTAL is set: pkg/cmd/pulumi/operations/up.go),
 * its progress and errors passed through to this process's stderr, and a missing CLI named with how to get it.
 */
import { execFile, spawn } from "child_process";
import { promisify } from "util";
import { Refused } from "./command";

const execFileAsync = promisify(execFile);

export interface PulumiOptions {
  /** Show stdout as it comes too (an update's progress belongs in the job log); resolves "" then. */
  readonly stream?: boolean;
  /** Resolve with stdout even when the CLI exits non-zero (`preview --json` prints its diagnostics there). */
  readonly allowFailure?: boolean;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface PulumiResult {
  readonly code: number;
  readonly stdout: string;
  /** What it wrote to stderr (also passed through as it came); empty when streamed. */
  readonly stderr: string;
}

export const MISSING_CLI =
  "the pulumi CLI is not on PATH: install the version package.json pins (@pulumi/pulumi) from https://www.pulumi.com/docs/install/, " +
  "or here `bash scripts/toolchain.sh && source .toolchain/env.sh`";

/** `pulumi <args> --non-interactive`; rejects on a non-zero exit unless `allowFailure`. */
export async function pulumi(args: readonly string[], options: PulumiOptions = {}): Promise<PulumiResult> {
  const env = { ...process.env, PULUMI_EXPERIMENTAL: "true", ...options.env };
  const argv = [...args, "--non-interactive"];
  if (options.stream) {
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", argv, { cwd: options.cwd, env, stdio: ["ignore", "inherit", "inherit"] });
      child.on("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new Refused(MISSING_CLI) : error));
      child.on("exit", (code) => {
        if (code === 0 || options.allowFailure) resolve({ code: code ?? 1, stdout: "", stderr: "" });
        else reject(new Error(`pulumi ${args[0]} exited with ${code} (its output is above)`));
      });
    });
  }
  const run = execFileAsync("pulumi", argv, { cwd: options.cwd, env, maxBuffer: 512 * 1024 * 1024 });
  run.child.stderr?.pipe(process.stderr);
  try {
    const { stdout, stderr } = await run;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { code?: number | string; stdout?: string; stderr?: string };
    if (failure.code === "ENOENT") throw new Refused(MISSING_CLI);
    if (options.allowFailure && typeof failure.code === "number") {
      return { code: failure.code, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
    }
    throw new Error(`pulumi ${args[0]} exited with ${failure.code}: ${failure.message.split("\n")[0]}`, { cause: error });
  }
}
