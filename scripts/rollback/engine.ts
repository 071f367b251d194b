/**
 * `pulumi preview` and `pulumi up` of the rolled-back program, run by the tool itself (scripts/lib/pulumi-cli.ts,
 * spawnPulumi) rather than through the Automation API, for one reason: the CLI runs in its own process group. A
 * terminal's Ctrl-C goes to the whole foreground process group, so a CLI in the tool's group would get it directly
 * and then again from the tool (the Automation API's abort signal), and the CLI takes a second SIGINT as "terminate
 * immediately". Here the tool alone decides, and forwards exactly one SIGINT, to the CLI (scripts/rollback/interrupt.ts).
 */
import { ChildProcessByStdio } from "child_process";
import { Readable } from "stream";
import { spawnPulumi, startFailure } from "../lib/pulumi-cli";
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
    // A preview takes no lock on the DIY backends: a `pulumi cancel` after it could remove another update's.
    preview: (run) => runPulumi(previewArgs(run), run, write, interrupt, { takesLock: false }),
    up: (run) => runPulumi(upArgs(run), run, write, interrupt, { takesLock: true }),
  };
}

const STDERR_KEPT = 64 * 1024;

/** In a process group of its own (`detached`), which the tool's Ctrl-C does not reach. */
function spawnInOwnGroup(args: string[], cwd: string): ChildProcessByStdio<null, Readable, Readable> {
  // The commit was type-checked by the CI run that deployed it; transpiling only saves seconds per run.
  const env = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
  return spawnPulumi(args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] }) as ChildProcessByStdio<
    null,
    Readable,
    Readable
  >;
}

function runPulumi(
  args: string[],
  run: EngineRun,
  write: (chunk: string) => void,
  interrupt: Interrupt,
  options: { takesLock: boolean },
): Promise<void> {
  const command = `pulumi ${args[0]}`;
  return new Promise((resolve, reject) => {
    const child = spawnInOwnGroup(args, run.programDir);
    let stderr = "";
    let tookLock = false;
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      // The CLI prints its header only once it holds the stack's lock (a locked stack fails without it: measured).
      tookLock ||= options.takesLock && /^Updating \(/m.test(text);
      write(text);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      stderr = (stderr + text).slice(-STDERR_KEPT);
      write(text);
    });
    let forwarded = false;
    const stopListening = interrupt.onRequest(() => {
      // The CLI alone: it cancels the engine and then stops its plugins and the program itself.
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      forwarded = true;
      process.kill(child.pid, "SIGINT");
    });
    child.on("error", (error) => {
      stopListening();
      reject(startFailure(command, error));
    });
    child.on("close", (code, signal) => {
      stopListening();
      if (code === 0) return resolve();
      if (!(forwarded && signal === "SIGINT")) return reject(new EngineFailure(command, code, stderr));
      // Killed outright, the CLI did not stop its language host and plugins (measured: left running). They are
      // in its process group.
      stopProcessGroup(child.pid);
      if (!tookLock) return reject(new EngineFailure(command, code, stderr, { lock: "none" }));
      // The CLI handles SIGINT only while the engine runs; just before (the lock is already taken) and just
      // after, the signal kills it (measured), leaving its lock. That process is gone and the lock is its own.
      write(
        `\n${command} was killed by the signal outside the part of the update that handles it; removing the lock it left (pulumi cancel).\n`,
      );
      releaseLock(run, write).then(
        () => reject(new EngineFailure(command, code, stderr, { lock: "released" })),
        (error: Error) => reject(new EngineFailure(command, code, `${stderr}\n${error.message}`, { lock: "left" })),
      );
    });
  });
}

function stopProcessGroup(leader: number | undefined): void {
  if (leader === undefined) return;
  try {
    process.kill(-leader, "SIGTERM");
  } catch {
    // nothing left in the group
  }
}

function releaseLock(run: EngineRun, write: (chunk: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnInOwnGroup(["cancel", "--yes", "--stack", run.stack], run.programDir);
    child.stdout.on("data", (chunk: Buffer) => write(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => write(chunk.toString()));
    child.on("error", (error) => reject(startFailure("pulumi cancel", error)));
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`pulumi cancel exited with ${code}: remove the lock with \`pulumi cancel --stack ${run.stack}\``)),
    );
  });
}
