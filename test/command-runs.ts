/**
 * Runs one of the project's commands as an operator would, in a process of its own, and tells what it started and
 * left behind: its PATH holds recording stubs of the programs it may start (pulumi, kubectl, helm, the control
 * plane's), which fail; its temporary directory and home are empty ones of its own. A refusal must start none of
 * them and leave that directory empty.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const PROJECT_DIR = path.resolve(__dirname, "..");

/** What a command may start that costs time or changes something: each is a stub that records its start and fails. */
export const RECORDED_PROGRAMS = ["pulumi", "kubectl", "helm", "etcd", "kube-apiserver", "kube-controller-manager", "npm"];
/** What the shell scripts need to run at all, linked from the system. */
const BASE_PROGRAMS = ["bash", "sh", "node", "dirname", "date", "sed", "cat", "mkdir", "rm", "cp", "grep", "head", "env", "ls", "tr"];

export interface CommandRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `pulumi stack export …`: every recorded program the command started, in order. */
  readonly started: string[];
  /** What the command left in its temporary directory (a control plane's directory, a worktree, a kubeconfig). */
  readonly leftInTmp: string[];
}

export interface CommandOptions {
  /** The command's environment beyond PATH, HOME and TMPDIR (nothing of the test's own is passed on). */
  readonly env?: Record<string, string>;
  /** Which recorded programs are on PATH; all by default. */
  readonly programs?: readonly string[];
  /** The directory it runs in: the project's by default. */
  readonly cwd?: string;
}

/**
 * A copy of the project to run a command in, with `files` (stack files: `Pulumi.<stack>.yaml`) written over it: every
 * other entry is a link to this checkout's, and the command runs with Node keeping the links' paths, so that the
 * project it reads (config/committed-stacks.ts, PROJECT_DIR) is the copy.
 */
export function projectWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "command-project-"));
  for (const entry of fs.readdirSync(PROJECT_DIR)) {
    if (/^Pulumi\..+\.yaml$/.test(entry)) fs.copyFileSync(path.join(PROJECT_DIR, entry), path.join(dir, entry));
    else fs.symlinkSync(path.join(PROJECT_DIR, entry), path.join(dir, entry));
  }
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

/** `scripts/<script>` with `args`: a TypeScript command as `npm run` runs it (ts-node), a shell script with bash. */
export function runScript(script: string, args: readonly string[], options: CommandOptions = {}): CommandRun {
  const box = fs.mkdtempSync(path.join(os.tmpdir(), "command-run-"));
  const [bin, base, tmp, home] = ["bin", "base", "tmp", "home"].map((dir) => path.join(box, dir));
  for (const dir of [bin, base, tmp, home]) fs.mkdirSync(dir);
  const log = path.join(box, "started.log");
  for (const program of options.programs ?? RECORDED_PROGRAMS) {
    fs.writeFileSync(path.join(bin, program), `#!/bin/sh\necho "${program} $*" >> "${log}"\nexit 97\n`, { mode: 0o755 });
  }
  for (const program of BASE_PROGRAMS) {
    const system = ["/usr/bin", "/bin"].map((dir) => path.join(dir, program)).find((file) => fs.existsSync(file));
    if (system) fs.symlinkSync(system, path.join(base, program));
  }
  const cwd = options.cwd ?? PROJECT_DIR;
  const file = path.join(cwd, "scripts", script);
  const [command, argv] = script.endsWith(".sh")
    ? [path.join(base, "bash"), [file, ...args]]
    : [process.execPath, ["--preserve-symlinks", "--preserve-symlinks-main", "-r", "ts-node/register/transpile-only", file, ...args]];
  const result = spawnSync(command, argv, {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    // TypeScript's compile cache would be the one thing left in the temporary directory.
    env: { PATH: `${bin}${path.delimiter}${base}`, HOME: home, TMPDIR: tmp, DISABLE_V8_COMPILE_CACHE: "1", ...options.env },
  });
  try {
    return {
      status: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      started: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [],
      leftInTmp: fs.readdirSync(tmp),
    };
  } finally {
    fs.rmSync(box, { recursive: true, force: true });
  }
}

/** Checks what every refusal must be, and returns its message: exit 2, one message, nothing started or left. */
export function refusal(run: CommandRun): string {
  expect({ status: run.status, started: run.started, leftInTmp: run.leftInTmp, stdout: run.stdout }).toEqual({
    status: 2,
    started: [],
    leftInTmp: [],
    stdout: "",
  });
  expect(run.stderr).not.toMatch(/^ {4}at /m);
  return run.stderr.trimEnd();
}
