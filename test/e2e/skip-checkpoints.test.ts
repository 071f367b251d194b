/**
 * `PULUMI_SKIP_CHECKPOINTS=true` (what scripts/local-up.sh and bench:real's scale runs use): the engine writes the
 * state once, at the end, instead of after every step (pulumi/pkg backend/snapshot.go `unsafeServiceLoop`). A
 * process that dies mid-update therefore leaves the state of the update before, while the objects it created
 * exist. This runs the recovery docs/scale.md gives, command for command as the page writes them: the lock removed,
 * one update with `PULUMI_K8S_UPSERT_EXISTING_OBJECTS` and `PULUMI_K8S_ENABLE_PATCH_FORCE` that takes the existing
 * objects over, then an ordinary update. The toolchain's provider (v4.25.0 code) always creates by server-side apply;
 * the released 4.34.2 does so only with upsertExistingObjects, read from the provider's inputs, which is why the test
 * checks that the recovery's providers carry it. Needs the toolchain (scripts/toolchain.sh).
 */
import * as fs from "fs";
import * as path from "path";
import { syntheticTeams } from "../../scripts/bench/teams";
import { Sandbox, STACK } from "./support/sandbox";
import { findToolchain, inCi, PROJECT_DIR } from "./support/toolchain";

const MINUTE = 60_000;
const TEAMS = 30;
const SKIP = { PULUMI_SKIP_CHECKPOINTS: "true" };
const TEAM_LABEL = "platform.example.io/team";
const PROVIDER = "pulumi:providers:kubernetes";
const RECOVERY_SETTINGS = ["enablePatchForce", "upsertExistingObjects"];

interface Command {
  readonly env: Record<string, string>;
  readonly args: string[];
}

/** The recovery's commands as docs/scale.md writes them: its one `sh` block that starts with `pulumi cancel`. */
function documentedRecovery(): Command[] {
  const page = fs.readFileSync(path.join(PROJECT_DIR, "docs/scale.md"), "utf8");
  const blocks = [...page.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]).filter((block) => block.startsWith("pulumi cancel"));
  if (blocks.length !== 1) throw new Error(`docs/scale.md: expected one sh block starting with "pulumi cancel", found ${blocks.length}`);
  return blocks[0]
    .trim()
    .split("\n")
    .map((line) => {
      const words = line.trim().split(/\s+/);
      const env: Record<string, string> = {};
      while (/^[A-Z][A-Z0-9_]*=/.test(words[0])) {
        const [name, value] = words.shift()!.split("=");
        env[name] = value;
      }
      if (words.shift() !== "pulumi") throw new Error(`docs/scale.md: not a pulumi command: ${line}`);
      return { env, args: words };
    });
}

const toolchain = findToolchain();
const runSuite = toolchain.ok || inCi();

(runSuite ? describe : describe.skip)("an update without intermediate checkpoints that dies midway (real engine)", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    if (!toolchain.ok) throw new Error(`E2E FAILED: CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")})`);
    sandbox = new Sandbox(toolchain.env);
    await sandbox.initLocalStack(syntheticTeams(TEAMS));
  }, 10 * MINUTE);

  afterAll(async () => {
    if (sandbox) await sandbox.cleanUp(process.env.E2E_KEEP === "1");
  }, 2 * MINUTE);

  const count = async (kind: string) =>
    (await sandbox.kubectlJson(["get", kind, "--all-namespaces", "-l", TEAM_LABEL])).items.length as number;
  const stateResources = async (): Promise<{ type: string; urn: string; inputs: Record<string, unknown> }[]> =>
    JSON.parse((await sandbox.pulumi(["stack", "export"])).stdout).deployment.resources ?? [];
  /** Each Kubernetes provider in the state: its URN and which of the recovery's settings it carries. */
  const providerSettings = async () =>
    (await stateResources())
      .filter((resource) => resource.type === PROVIDER)
      .map((resource) => [resource.urn, RECOVERY_SETTINGS.map((key) => resource.inputs[key] ?? "unset")] as const);
  // Each team gets three RoleBindings (admins, developers, viewers), created after its namespace.
  const ALL_BINDINGS = TEAMS * 3;

  test(
    "a killed update leaves objects the state does not list; the documented recovery takes them over and converges",
    async () => {
      const [cancel, recover, ordinary] = documentedRecovery();
      expect(cancel.args[0]).toBe("cancel");
      expect(recover.env).toEqual({ PULUMI_K8S_UPSERT_EXISTING_OBJECTS: "true", PULUMI_K8S_ENABLE_PATCH_FORCE: "true" });
      expect([recover.args[0], ordinary.args[0], ordinary.env]).toEqual(["up", "up", {}]);

      const update = sandbox.pulumiInBackground(["up", "--yes", "--skip-preview"], { env: SKIP });
      let exited = false;
      void update.result.finally(() => (exited = true));
      // Killed once some teams' objects exist and not all: the whole process group (CLI, language host, provider).
      while ((await count("rolebindings")) === 0) {
        if (exited) throw new Error(`the update ended before it could be killed:\n${(await update.result).stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      process.kill(-update.child.pid!, "SIGKILL");
      const killed = await update.result;
      expect(killed.code).not.toBe(0);
      expect(await count("namespaces")).toBeGreaterThan(0);
      expect(await count("rolebindings")).toBeLessThan(ALL_BINDINGS);
      // The state is the one before the update: nothing it created is recorded, and the dead process's lock stays.
      expect(await stateResources()).toEqual([]);
      expect(sandbox.locks()).toHaveLength(1);

      const run = (command: Command) => sandbox.pulumi(command.args, { env: { ...SKIP, ...command.env } });
      await run(cancel);
      expect(sandbox.locks()).toEqual([]);

      await run(recover);
      expect(await count("namespaces")).toBe(TEAMS);
      expect(await count("rolebindings")).toBe(ALL_BINDINGS);
      expect((await stateResources()).length).toBeGreaterThan(TEAMS * 7);
      // Copied by the SDK from the environment into each provider's inputs, where the released provider reads them.
      const providers = await providerSettings();
      expect(providers.length).toBeGreaterThan(0);
      expect(providers).toEqual(providers.map(([urn]) => [urn, ["true", "true"]]));

      // What the ordinary update will do: update the providers for those two keys, replace nothing, touch no object.
      const preview = JSON.parse((await sandbox.pulumi(["preview", "--json"], { env: SKIP })).stdout) as {
        steps: { op: string; urn: string; diffReasons?: string[] }[];
      };
      const changes = preview.steps.filter((step) => step.op !== "same");
      expect(changes.map((step) => [step.op, step.urn, [...(step.diffReasons ?? [])].sort()])).toEqual(
        providers.map(([urn]) => ["update", urn, RECOVERY_SETTINGS]),
      );

      await run(ordinary);
      expect(await providerSettings()).toEqual(providers.map(([urn]) => [urn, ["unset", "unset"]]));
      await sandbox.pulumi(["preview", "--expect-no-changes"], { env: SKIP });
      // No `.attrs` sidecars (metadata=skip): one killed mid-write would leave the state unreadable (docs/scale.md).
      const files = fs.readdirSync(sandbox.stateDir, { recursive: true }).map(String);
      expect(files.some((file) => file.endsWith(`${STACK}.json`))).toBe(true);
      expect(files.filter((file) => file.endsWith(".attrs"))).toEqual([]);
    },
    15 * MINUTE,
  );
});
