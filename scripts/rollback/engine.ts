/**
 * `pulumi preview` and `pulumi up` of the rolled-back program, run by the tool itself rather than through the
 * Automation API, for one reason: the CLI runs in its own process group. A terminal's Ctrl-C goes to the whole
 * foreground process group, so a CLI in the tool's group would get it directly and then again from the tool
 * (the Automation API's abort signal), and the CLI takes a second SIGINT as "terminate immediately". Here the
 * tool alone decides, and forwards exactly one SIGINT (scripts/rollback/interrupt.ts).
 */
import { spawn } from "child_process";
import { Interrupt } from "./interrupt";
import { EngineFailure } from "./refusals";

export interface PolicyPack {
  /** The pack's directory (`policy/`), as `--policy-pack`. */
  dir: string;
  /** The stack's levels and settings (`policy/config/<stack>.json`), as `--policy-pack-config`. */
  config: string;
}

export interface EngineRun {
  stack: string;
  programDir: string;
  policy: PolicyPack;
}

export interface Engine {
  /** Streams the per-object diff of the directory's program and config against the live stack. */
  preview(run: EngineRun): Promise<void>;
  up(run: EngineRun & { message: string }): Promise<void>;
}

/** Args shared by preview and up: the stack, the diff, and the policy pack exactly as the workflows pass it. */
function commonArgs(run: EngineRun): string[] {
  return ["--stack", run.stack, "--diff", "--policy-pack", run.policy.dir, "--policy-pack-config", run.policy.config, "--non-interactive"];
}

export function previewArgs(run: EngineRun): string[] {
  return ["preview", ...commonArgs(run)];
}

/** `--skip-preview`: the preview the operator confirmed ran just before. */
export function upArgs(run: EngineRun & { message: string }): string[] {
  return ["up", ...commonArgs(run), "--yes", "--skip-preview", "--message", run.message];
}

export function cliEngine(write: (chunk: string) => void, interrupt: Interrupt): Engine {
  return {
    preview: (run) => runPulumi(previewArgs(run), run.programDir, write, interrupt),
    up: (run) => runPulumi(upArgs(run), run.programDir, write, interrupt),
  };
}

const STDERR_KEPT = 64 * 1024;

function runPulumi(args: string[], cwd: string, write: (chunk: string) => void, interrupt: Interrupt): Promise<void> {
  const command = `pulumi ${args[0]}`;
  const env = {
    ...process.env,
    // The commit was type-checked by the CI run that deployed it; transpiling only saves seconds per run.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
  };
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => write(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      stderr = (stderr + text).slice(-STDERR_KEPT);
      write(text);
    });
    const stopListening = interrupt.onRequest(() => {
      // The whole group, as a terminal would: the CLI, its language host, the program and the plugins.
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGINT");
    });
    child.on("error", (error) => {
      stopListening();
      reject(new Error(`cannot run \`${command}\`: ${error.message} (is the pulumi CLI on PATH?)`));
    });
    child.on("close", (code) => {
      stopListening();
      if (code === 0) resolve();
      else reject(new EngineFailure(command, code, stderr));
    });
  });
}
