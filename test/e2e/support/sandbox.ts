/**
 * A throwaway world for the real-engine suite, all under one temporary directory: a control plane
 * (scripts/control-plane.sh), a file state backend, and a copy of the project in its own git repository, so that
 * every update records a real commit (which the rollback tool checks out) and the committed Pulumi.local.yaml
 * of the working tree is never touched.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Document, parseDocument } from "yaml";
import { Background, Commands, Result } from "./commands";
import { PROJECT_DIR, TOOLCHAIN_DIR } from "./toolchain";

export const STACK = "local";
export const PASSPHRASE = "e2e-passphrase";

/** Not copied: dependencies (linked instead), the toolchain, generated output and the committed inventories. */
const NOT_COPIED = /^(node_modules|\.toolchain|out|bin|inventory|\.git)(\/|$)|(^|\/)node_modules(\/|$)/;

export class Sandbox {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-e2e-"));
  readonly projectDir = path.join(this.root, "project");
  readonly stateDir = path.join(this.root, "state");
  readonly clusterDir = path.join(this.root, "cluster");
  readonly kubeconfig = path.join(this.clusterDir, "kubeconfig");
  readonly commands = new Commands(path.join(this.root, "commands.log"));
  readonly env: NodeJS.ProcessEnv;

  constructor(toolchainEnv: NodeJS.ProcessEnv) {
    const { KUBECONFIG: _ambient, PULUMI_ACCESS_TOKEN: _token, ...inherited } = toolchainEnv;
    this.env = {
      ...inherited,
      // No `.attrs` sidecars: the file backend writes them in place, so a CLI killed mid-write (as some steps do)
      // would leave an empty one and every later read fails with "failed to load checkpoint: EOF" (docs/scale.md).
      PULUMI_BACKEND_URL: `file://${this.stateDir}?metadata=skip`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      // `npm test` type-checks the program with tsc; the engine only needs to run it.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      // For kubectl only: the program reaches the cluster through platform:cluster.kubeconfig.
      KUBECONFIG: this.kubeconfig,
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    };
    fs.mkdirSync(this.stateDir);
  }

  async startControlPlane(): Promise<Result> {
    return this.commands.run("bash", [path.join(PROJECT_DIR, "scripts/control-plane.sh"), "start", this.clusterDir], {
      cwd: PROJECT_DIR,
      env: this.env,
    });
  }

  async stopControlPlane(): Promise<void> {
    if (fs.existsSync(this.clusterDir)) {
      await this.commands.run("bash", [path.join(PROJECT_DIR, "scripts/control-plane.sh"), "stop", this.clusterDir], {
        cwd: PROJECT_DIR,
        env: this.env,
        allowFailure: true,
      });
    }
  }

  /**
   * The working tree as it is (tracked and untracked, not ignored, files), committed in a fresh repository;
   * node_modules is linked from the project and excluded, so that no update is recorded as dirty.
   */
  copyProject(): void {
    const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
    });
    for (const file of new Set(listed.split("\0"))) {
      if (file === "" || NOT_COPIED.test(file)) continue;
      const from = path.join(PROJECT_DIR, file);
      const stat = fs.lstatSync(from, { throwIfNoEntry: false });
      if (!stat) continue; // deleted in the working tree
      const to = path.join(this.projectDir, file);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      if (stat.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
      else if (stat.isFile()) fs.copyFileSync(from, to);
    }
    for (const dir of [".", "policy"]) {
      const modules = path.join(PROJECT_DIR, dir, "node_modules");
      if (fs.existsSync(modules) && fs.existsSync(path.join(this.projectDir, dir)))
        fs.symlinkSync(modules, path.join(this.projectDir, dir, "node_modules"));
    }
    this.git("init", "-q", "-b", "main");
    this.git("config", "user.name", "platform e2e");
    this.git("config", "user.email", "e2e@example.invalid");
    this.git("config", "commit.gpgsign", "false");
    // .gitignore's `node_modules/` matches directories only, not the links.
    fs.appendFileSync(path.join(this.projectDir, ".git/info/exclude"), "node_modules\n");
    this.commit("copy of the project under test");
  }

  /** A control plane, the project's copy, and the `local` stack pointed at the control plane (with these teams, if given). */
  async initLocalStack(teams?: object[]): Promise<void> {
    await this.startControlPlane();
    this.copyProject();
    await this.pulumi(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    this.editStackConfig((doc) => {
      doc.setIn(["config", "platform:cluster", "kubeconfig"], this.kubeconfig);
      if (teams) doc.setIn(["config", "platform:teams"], doc.createNode(teams));
    });
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.projectDir, encoding: "utf8", env: this.env }).trim();
  }

  /** Commits everything; returns the new commit. */
  commit(message: string): string {
    this.git("add", "-A");
    this.git("commit", "-q", "-m", message);
    return this.head();
  }

  head(): string {
    return this.git("rev-parse", "HEAD");
  }

  /** Edits the copy's Pulumi.local.yaml as a YAML document (comments and layout kept). */
  editStackConfig(edit: (doc: Document) => void): void {
    const file = path.join(this.projectDir, `Pulumi.${STACK}.yaml`);
    const doc = parseDocument(fs.readFileSync(file, "utf8"));
    edit(doc);
    fs.writeFileSync(file, doc.toString());
  }

  /** `env` adds to the sandbox's environment (e.g. PULUMI_EXPERIMENTAL for update plans); `cwd`: another project in the copy. */
  pulumi(args: readonly string[], options: { allowFailure?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Result> {
    const { env, cwd, ...rest } = options;
    return this.commands.run(this.pulumiBinary, [...args, "--non-interactive", "--color", "never"], {
      cwd: cwd ?? this.projectDir,
      env: { ...this.env, ...env },
      ...rest,
    });
  }

  pulumiInBackground(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Background {
    const env = { ...this.env, ...options.env };
    return this.commands.start(this.pulumiBinary, [...args, "--non-interactive", "--color", "never"], {
      cwd: this.projectDir,
      env,
      allowFailure: true,
    });
  }

  /** `env` adds to the sandbox's environment (e.g. which principal a kubeconfig's credential plugin answers for). */
  kubectl(args: readonly string[], options: { allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
    const { env, ...rest } = options;
    return this.commands.run(path.join(TOOLCHAIN_DIR, "bin/kubectl"), args, { cwd: this.root, env: { ...this.env, ...env }, ...rest });
  }

  async kubectlJson<T = any>(args: readonly string[]): Promise<T> {
    return JSON.parse((await this.kubectl([...args, "-o", "json"])).stdout) as T;
  }

  npm(args: readonly string[], options: { allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
    const { env, ...rest } = options;
    return this.commands.run("npm", args, { cwd: this.projectDir, env: { ...this.env, ...env }, ...rest });
  }

  /** npm in its own process group, like a command in a terminal's foreground: signal it with `process.kill(-pid)`. */
  npmInBackground(args: readonly string[]): Background {
    return this.commands.start("npm", args, { cwd: this.projectDir, env: this.env, allowFailure: true });
  }

  /** Writes a JSON document (a manifest) next to the project copy; returns its path. */
  writeFile(name: string, content: object): string {
    const file = path.join(this.root, name);
    fs.writeFileSync(file, JSON.stringify(content, null, 2));
    return file;
  }

  /** Lock files of the file backend, which a running update holds (`<state>/.pulumi/locks/<org>/<project>/<stack>/`). */
  locks(): string[] {
    const dir = path.join(this.stateDir, ".pulumi", "locks");
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((entry) => entry.endsWith(".json"));
  }

  async cleanUp(keep: boolean): Promise<void> {
    this.commands.stopAll();
    await this.stopControlPlane();
    if (!keep) fs.rmSync(this.root, { recursive: true, force: true });
  }

  private get pulumiBinary(): string {
    return path.join(TOOLCHAIN_DIR, "bin/pulumi");
  }
}
