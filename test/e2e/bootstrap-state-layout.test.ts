/**
 * The object keys the state bucket's policy is written for (bootstrap/state-layout.ts) against what the real CLI
 * writes. A file backend lays the state out exactly as the S3 backend does (both are the DIY backend over a
 * gocloud bucket), so every file the CLI leaves, and the lock it holds during an update, must fall under its own
 * stack's keys and no other stack's. Two stacks of the platform's project name, updates, a tag; no cloud.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkpointKeys, META_KEY, stackStateKeys } from "../../bootstrap/state-layout";
import { Commands } from "./support/commands";
import { findToolchain, inCi, PROJECT_DIR } from "./support/toolchain";

const PROJECT = "k8s-platform";
const STACKS = ["prod", "stage"];
const toolchain = findToolchain();

(toolchain.ok || inCi() ? describe : describe.skip)("the DIY backend's object keys (real CLI, file backend)", () => {
  let dir: string;
  let backend: string;
  let commands: Commands;
  let env: NodeJS.ProcessEnv;
  const pulumi = (args: string[]) => commands.run("pulumi", args, { cwd: path.join(dir, "project"), env });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "state-layout-"));
    backend = path.join(dir, "state");
    fs.mkdirSync(backend);
    fs.mkdirSync(path.join(dir, "project"));
    fs.mkdirSync(path.join(dir, "pulumi-home"));
    commands = new Commands(path.join(dir, "commands.log"));
    env = {
      ...(toolchain.ok ? toolchain.env : process.env),
      // Its own home: the login and workspace files of this run stay in the temporary directory.
      PULUMI_HOME: path.join(dir, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: "layout",
      STATE_DIR: backend,
    };
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "project", "node_modules"));
    fs.writeFileSync(
      path.join(dir, "project", "Pulumi.yaml"),
      `name: ${PROJECT}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`,
    );
    // The program runs while the update holds its lock: it reports the lock files it sees.
    fs.writeFileSync(
      path.join(dir, "project", "index.js"),
      [
        'const fs = require("fs"), path = require("path"), pulumi = require("@pulumi/pulumi");',
        `const locks = path.join(process.env.STATE_DIR, ".pulumi/locks/organization/${PROJECT}", pulumi.getStack());`,
        'const files = fs.existsSync(locks) ? fs.readdirSync(locks).filter((f) => !f.endsWith(".attrs")) : [];',
        "exports.locks = files.map((f) => path.relative(process.env.STATE_DIR, path.join(locks, f)));",
        'exports.secret = pulumi.secret("s");',
      ].join("\n"),
    );
  });

  afterAll(() => {
    commands?.stopAll();
    if (!process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("every key written falls under its own stack's keys, none under another's", async () => {
    const heldLocks: Record<string, string[]> = {};
    for (const stack of STACKS) {
      const ref = `organization/${PROJECT}/${stack}`;
      await pulumi(["stack", "init", ref, "--non-interactive"]);
      await pulumi(["up", "--yes", "--non-interactive", "--stack", ref]);
      await pulumi(["up", "--yes", "--non-interactive", "--stack", ref, "--refresh"]);
      await pulumi(["stack", "tag", "set", "team", "platform", "--stack", ref]);
      heldLocks[stack] = JSON.parse((await pulumi(["stack", "output", "locks", "--json", "--stack", ref])).stdout);
    }

    const written = listFiles(backend);
    expect(written).toContain(META_KEY);
    for (const stack of STACKS) {
      expect(heldLocks[stack]).toHaveLength(1);
      expect(written.some((key) => key.startsWith(`.pulumi/history/${PROJECT}/${stack}/`))).toBe(true);
      expect(written.some((key) => key.startsWith(`.pulumi/backups/${PROJECT}/${stack}/`))).toBe(true);
    }
    const keys = [...written.filter((key) => key !== META_KEY), ...Object.values(heldLocks).flat()];
    for (const key of keys) {
      const owners = STACKS.filter((stack) => stackStateKeys(PROJECT, stack).some((pattern) => matches(pattern, key)));
      expect([key, owners]).toEqual([key, [STACKS.find((stack) => key.includes(`/${stack}`))]]);
    }
    // What a StackReference reads is the checkpoint.
    expect(written.filter((key) => matches(checkpointKeys(PROJECT, "prod"), key))).toEqual([
      `.pulumi/stacks/${PROJECT}/prod.json`,
      `.pulumi/stacks/${PROJECT}/prod.json.bak`,
    ]);
  }, 180_000);
});

/** The bucket's keys: files under `root`, without fileblob's `.attrs` metadata files (S3 has no such objects). */
function listFiles(root: string, dir = root): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(root, full);
    return entry.name.endsWith(".attrs") ? [] : [path.relative(root, full)];
  });
}

/** An S3 policy resource pattern: `*` any run of characters, `/` included. */
function matches(pattern: string, key: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(key);
}
