/**
 * One way for the tools to run the `pulumi` CLI on PATH, with its current backend login: non-interactive, with
 * update plans available (`up --plan` is hidden unless PULUMI_EXPERIMENTAL is set: pkg/cmd/pulumi/operations/up.go),
 * its progress and errors passed through to this process's stderr, and a missing CLI named with how to get it.
 */
import { ChildProcess, execFile, spawn, SpawnOptions } from "child_process";
import { promisify } from "util";
import { Refused } from "./command";
import { checkBackendUrl, checkPassphrase, requireProgram } from "./settings";

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

/** Refuses unless the pulumi CLI is on PATH. */
export function requirePulumiCli(env: NodeJS.ProcessEnv = process.env): void {
  requireProgram("pulumi", env, MISSING_CLI);
}

/**
 * Everything a run of the CLI on `stack` reads from its environment, checked before the command starts anything:
 * the CLI itself, PULUMI_BACKEND_URL, and the passphrase of a passphrase stack.
 */
export function checkPulumiSettings(stack: string, projectDir: string, usage: string, env: NodeJS.ProcessEnv = process.env): void {
  requirePulumiCli(env);
  checkBackendUrl(env, usage);
  checkPassphrase(stack, env, projectDir, usage);
}

const pulumiEnv = (env?: NodeJS.ProcessEnv) => ({ ...process.env, PULUMI_EXPERIMENTAL: "true", ...env });
const pulumiArgv = (args: readonly string[]) => (args.includes("--non-interactive") ? [...args] : [...args, "--non-interactive"]);

/** The CLI as a child process the caller drives itself (its process group, its signals), set up as `pulumi()` runs it. */
export function spawnPulumi(args: readonly string[], options: SpawnOptions & { env?: NodeJS.ProcessEnv }): ChildProcess {
  return spawn("pulumi", pulumiArgv(args), { ...options, env: pulumiEnv(options.env) });
}

/** What a failure to start the CLI means: a missing CLI is a refusal that says how to get it. */
export function startFailure(command: string, error: NodeJS.ErrnoException): Error {
  return error.code === "ENOENT" ? new Refused(MISSING_CLI) : new Error(`cannot run \`${command}\`: ${error.message}`);
}

/** `pulumi <args> --non-interactive`; rejects on a non-zero exit unless `allowFailure`. */
export async function pulumi(args: readonly string[], options: PulumiOptions = {}): Promise<PulumiResult> {
  const env = pulumiEnv(options.env);
  const argv = pulumiArgv(args);
  if (options.stream) {
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", argv, { cwd: options.cwd, env, stdio: ["ignore", "inherit", "inherit"] });
      child.on("error", (error: NodeJS.ErrnoException) => reject(startFailure(commandName(args), error)));
      child.on("exit", (code) => {
        if (code === 0 || options.allowFailure) resolve({ code: code ?? 1, stdout: "", stderr: "" });
        else reject(new Error(`${commandName(args)} exited with ${code} (its output is above)`));
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
    const reason = errorLine(failure.stderr ?? "") ?? failure.message.split("\n")[0];
    throw new Error(`${commandName(args)} exited with ${failure.code}: ${reason}`, { cause: error });
  }
}

/** `pulumi stack history`: the command, without its options. */
function commandName(args: readonly string[]): string {
  const options = args.findIndex((arg) => arg.startsWith("-"));
  return ["pulumi", ...args.slice(0, options < 0 ? args.length : options)].join(" ");
}

/** The CLI's last `error:` line (the reason it stopped), if it printed one. */
function errorLine(stderr: string): string | undefined {
  return stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("error:"))
    .pop();
}
