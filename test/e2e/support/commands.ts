/** Runs the CLIs the suite drives (pulumi, kubectl, git, npm) and keeps a log of every command for post-mortems. */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";

export interface Result {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Resolve on a non-zero exit instead of rejecting (for commands expected to fail). */
  readonly allowFailure?: boolean;
}

/** A command started in the background: `result` settles when it exits. */
export interface Background {
  readonly child: ChildProcess;
  readonly result: Promise<Result>;
}

export class CommandError extends Error {
  constructor(readonly result: Result) {
    super(
      `\`${result.command}\` exited with ${result.code} after ${result.seconds.toFixed(1)}s\n${tail(result.stdout)}\n${tail(result.stderr)}`,
    );
    this.name = "CommandError";
  }
}

export class Commands {
  private readonly running = new Set<ChildProcess>();

  constructor(private readonly logFile: string) {}

  async run(file: string, args: readonly string[], options: RunOptions): Promise<Result> {
    return this.start(file, args, options).result;
  }

  start(file: string, args: readonly string[], options: RunOptions): Background {
    const command = [file, ...args].join(" ");
    const started = Date.now();
    // detached: its own process group, so that a leftover command and its children can be stopped together.
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const result = new Promise<Result>((resolve, reject) => {
      child.on("error", (error) => {
        this.running.delete(child);
        reject(new Error(`cannot start \`${command}\`: ${error.message}`));
      });
      child.on("close", (code, signal) => {
        this.running.delete(child);
        const done: Result = { command, code: code ?? (signal ? 128 : 1), stdout, stderr, seconds: (Date.now() - started) / 1000 };
        fs.appendFileSync(
          this.logFile,
          `\n$ ${command}   (cwd ${options.cwd}; exit ${done.code}; ${done.seconds.toFixed(1)}s)\n${stdout}${stderr ? `\n[stderr]\n${stderr}` : ""}\n`,
        );
        if (done.code !== 0 && !options.allowFailure) reject(new CommandError(done));
        else resolve(done);
      });
    });
    return { child, result };
  }

  /** Stops every command still running (a failed test can leave a background `pulumi up`). */
  stopAll(): void {
    for (const child of this.running) {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
