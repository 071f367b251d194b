import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { promisify } from "util";
import { backendUrl, exportedState, stackHistory } from "../lib/stack-records";
import { DependencyFiles } from "./dependencies";
import { cliEngine } from "./engine";
import { isConfirmation } from "./format";
import { Interrupt } from "./interrupt";
import { RollbackDeps, StackHandle } from "./run";
import { stateSummary } from "./target";

const execFileAsync = promisify(execFile);

async function git(args: string[], cwd: string): Promise<string> {
  const { stdout } = await execFileAsync("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** The stack's records, read with the pulumi CLI on PATH and its current login (or PULUMI_BACKEND_URL): file://, s3://, Pulumi Cloud. */
async function openStack(stack: string, workDir: string): Promise<StackHandle> {
  return {
    backend: () => backendUrl(workDir),
    history: () => stackHistory(stack, workDir),
    state: async () => stateSummary(JSON.parse(await exportedState(stack, workDir)).deployment),
  };
}

function npmCi(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // The lockfile fixes every package, and those of a recent commit are already in npm's cache: taking them
    // from there makes a rollback faster without changing what is installed.
    const child = spawn("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: dir,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`npm ci in ${dir} exited with ${code}`))));
  });
}

const files: DependencyFiles = {
  read: (file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined),
  linkDirectory: (target, link) => fs.symlinkSync(target, link, "dir"),
  npmCi,
};

/** Resolves "" when stdin ends, or at Ctrl-C, without an answer: both count as no. */
function ask(question: string, interrupt: Interrupt): Promise<string> {
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((resolve) => {
    // On a terminal, readline reads Ctrl-C as a key and reports it here instead of raising SIGINT.
    prompt.on("SIGINT", () => {
      interrupt.receive("SIGINT");
      prompt.close();
    });
    const stopListening = interrupt.onRequest(() => prompt.close());
    prompt.on("close", () => {
      stopListening();
      resolve("");
    });
    prompt.question(question, (answer) => {
      stopListening();
      resolve(answer);
      prompt.close();
    });
  });
}

export function realDeps(projectDir: string, interrupt: Interrupt): RollbackDeps {
  const write = (chunk: string) => void process.stdout.write(chunk);
  return {
    openStack,
    engine: cliEngine(write, interrupt),
    git: {
      topLevel: async (dir) => (await git(["rev-parse", "--show-toplevel"], dir)).trim(),
      hasCommit: (commit) =>
        git(["cat-file", "-e", `${commit}^{commit}`], projectDir).then(
          () => true,
          () => false,
        ),
      // `./`: the path is relative to the program's directory, not to the repository's root.
      show: (ref, file) =>
        git(["show", `${ref}:./${file}`], projectDir).then(
          (text) => text,
          () => undefined,
        ),
      diff: (from, to, file) => git(["diff", "--no-color", from, to, "--", file], projectDir),
      addWorktree: async (commit) => {
        const worktree = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rollback-")), "program");
        await git(["worktree", "add", "--detach", worktree, commit], projectDir);
        return worktree;
      },
      statusPorcelain: (dir, pathspec) => git(["status", "--porcelain", ...(pathspec ? ["--", pathspec] : [])], dir),
      removeWorktree: async (worktree) => {
        // --force: installed dependencies would otherwise keep the worktree. A linked node_modules is removed as a
        // link: neither git nor rmSync follows symbolic links.
        await git(["worktree", "remove", "--force", worktree], projectDir);
        fs.rmSync(path.dirname(worktree), { recursive: true, force: true });
      },
    },
    files,
    interrupt,
    confirm: async (question) => isConfirmation(await ask(question, interrupt)),
    log: (line) => console.log(line),
    now: () => Date.now(),
    operator: `${os.userInfo().username}@${os.hostname()}`,
  };
}
