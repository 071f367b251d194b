import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { promisify } from "util";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { isConfirmation } from "./format";
import { RollbackDeps, StackHandle } from "./run";

const execFileAsync = promisify(execFile);

async function git(args: string[], cwd: string): Promise<string> {
  const { stdout } = await execFileAsync("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/**
 * The stack through the Automation API, which drives the `pulumi` CLI found on PATH with its current login
 * (or PULUMI_BACKEND_URL): nothing here is specific to Pulumi Cloud, so file:// and s3:// backends work.
 */
async function openStack(stackName: string, workDir: string): Promise<StackHandle> {
  const stack = await LocalWorkspace.selectStack({ stackName, workDir });
  return {
    backend: async () => (await stack.workspace.whoAmI()).url ?? "the current backend",
    // Without --show-secrets: listing must not need the secrets provider.
    history: () => stack.history(undefined, undefined, false),
    preview: async (write) => {
      await stack.preview({ diff: true, onOutput: write, onError: write });
    },
    up: async (message, write) => {
      await stack.up({ message, diff: true, onOutput: write, onError: write });
    },
  };
}

function npmCi(programDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // The lockfile fixes every package, and those of a recent commit are already in npm's cache: taking them
    // from there makes a rollback faster without changing what is installed.
    const child = spawn("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: programDir, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`npm ci in ${programDir} exited with ${code}`))));
  });
}

/** Resolves "" when stdin ends without an answer, which counts as no. */
function ask(question: string): Promise<string> {
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((resolve) => {
    prompt.on("close", () => resolve(""));
    prompt.question(question, (answer) => {
      resolve(answer);
      prompt.close();
    });
  });
}

export function realDeps(projectDir: string): RollbackDeps {
  return {
    openStack,
    git: {
      topLevel: async (dir) => (await git(["rev-parse", "--show-toplevel"], dir)).trim(),
      hasCommit: (commit) => git(["cat-file", "-e", `${commit}^{commit}`], projectDir).then(() => true, () => false),
      addWorktree: async (commit) => {
        const worktree = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rollback-")), "program");
        await git(["worktree", "add", "--detach", worktree, commit], projectDir);
        return worktree;
      },
      statusPorcelain: (dir) => git(["status", "--porcelain"], dir),
      removeWorktree: async (worktree) => {
        // --force: the installed node_modules would otherwise keep the worktree.
        await git(["worktree", "remove", "--force", worktree], projectDir);
        fs.rmSync(path.dirname(worktree), { recursive: true, force: true });
      },
    },
    install: npmCi,
    confirm: async (question) => isConfirmation(await ask(question)),
    log: (line) => console.log(line),
    write: (chunk) => process.stdout.write(chunk),
    now: () => Date.now(),
    operator: `${os.userInfo().username}@${os.hostname()}`,
  };
}
