/**
 * The commands that run the program under the mock engine or on a control plane (render, verify, upgrade-plan,
 * inventory, bench, bench:real, bench:rollback), and risky-change, given bad arguments, settings and files: each refuses with
 * one message naming what it was given, what it expects and its usage, exits 2, and starts nothing (the programs on
 * its PATH record every start) and leaves nothing behind (test/command-runs.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR, refusal, runScript } from "../command-runs";

jest.setTimeout(60_000);

const firstLine = (message: string) => message.split("\n")[0];
const usageOf = (message: string) => message.split("\n").pop();
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "program-commands-"));

describe("render", () => {
  const USAGE = "usage: npm run render -- <stack> [--out <dir>]";

  test.each([
    [["qa"], 'Refused: <stack> = "qa" is not a stack of this project: expected one of e2e, stage, prod, admin, local, or a tenancy shard'],
    [["local", "--out"], "Refused: --out needs a value: --out <dir>"],
    [["local", "--format", "json"], "Refused: unknown option --format: expected --out"],
  ])("%j", (args, message) => {
    const refused = refusal(runScript("render.ts", args));
    expect(firstLine(refused)).toContain(message);
    expect(usageOf(refused)).toBe(USAGE);
  });

  test("an --out that holds other files is not emptied", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
    expect(firstLine(refusal(runScript("render.ts", ["local", "--out", dir])))).toBe(
      `Refused: --out = "${dir}": expected a new directory or an earlier render's (manifests, helm-releases.yaml, diagram.mmd, outputs.json), which it replaces; it holds other files (notes.txt)`,
    );
    expect(fs.readdirSync(dir)).toEqual(["notes.txt"]);
    fs.rmSync(dir, { recursive: true });
  });

  test.each([
    [
      "/no/such/mirror",
      'PLATFORM_CHART_MIRROR = "/no/such/mirror": expected an existing directory of chart archives (or an http(s):// or oci:// URL)',
    ],
    [
      "ftp://charts.example.com",
      'PLATFORM_CHART_MIRROR = "ftp://charts.example.com": expected an http(s):// Helm repository, an oci:// registry',
    ],
  ])("PLATFORM_CHART_MIRROR=%s", (mirror, message) => {
    const refused = refusal(runScript("render.ts", ["local"], { env: { PLATFORM_CHART_MIRROR: mirror } }));
    expect(firstLine(refused)).toContain(`Refused: ${message}`);
    expect(usageOf(refused)).toBe(USAGE);
  });
});

describe("verify", () => {
  const USAGE = "usage: npm run verify -- <stack> [--minor <x.y>] [--current-context]";

  test.each([
    [["qa"], 'Refused: <stack> = "qa" is not a stack of this project: expected one of e2e, stage, prod, admin, local'],
    [
      ["prod-tenancy-1"],
      'Refused: <stack> = "prod-tenancy-1" is a tenancy shard, which this command does not take: expected one of e2e, stage',
    ],
    [
      ["prod", "--minor", "1.35"],
      'Refused: --minor = "1.35": expected 1.34, the minor the toolchain builds beside its own (toolchain/kubernetes-next)',
    ],
    [["prod", "--minor", "1.33"], "1.33 is its own: verify without --minor"],
    [
      ["local", "--minor", "1.34"],
      'Refused: --minor = "1.34": local names no platform:cluster.kubernetesVersion to verify another minor of',
    ],
    [["prod", "--mirror", "/no/such/mirror"], 'Refused: --mirror = "/no/such/mirror": expected an existing directory of chart archives'],
    [["prod", "--report", os.tmpdir()], `Refused: --report = "${os.tmpdir()}": expected a file to write, and it is a directory`],
    [["prod", "--images-unchecked"], "Refused: unknown option --images-unchecked: expected --minor, --current-context, --mirror"],
  ])("%j: no control plane started", (args, message) => {
    const refused = refusal(runScript("verify.ts", args));
    expect(firstLine(refused)).toContain(message);
    expect(usageOf(refused)).toContain(USAGE);
  });

  test("--current-context with a kubeconfig that does not exist, or whose context is gone", () => {
    const dir = tempDir();
    const stale = path.join(dir, "kubeconfig");
    fs.writeFileSync(stale, "contexts: [{ name: kind }]\ncurrent-context: minikube\n");
    expect(firstLine(refusal(runScript("verify.ts", ["local", "--current-context"], { env: { KUBECONFIG: "/no/such/kubeconfig" } })))).toBe(
      'Refused: KUBECONFIG = "/no/such/kubeconfig": expected a kubeconfig file, and there is no such file',
    );
    expect(firstLine(refusal(runScript("verify.ts", ["local", "--current-context"], { env: { KUBECONFIG: stale } })))).toContain(
      'expected a kubeconfig whose current-context is one of its contexts (kind), got "minikube"',
    );
    fs.rmSync(dir, { recursive: true });
  });

  test("the control plane's API server of the minor missing (the other programs are on PATH): named with how to build it", () => {
    const empty = tempDir();
    expect(refusal(runScript("verify.ts", ["prod", "--minor", "1.34"], { env: { TOOLCHAIN_BIN: empty } }))).toBe(
      `Refused: verify needs kube-apiserver-1.34, which TOOLCHAIN_BIN (${empty}) or PATH does not hold: ` +
        "build them with `bash scripts/toolchain.sh` (into .toolchain/bin), or set TOOLCHAIN_BIN to a directory that holds them",
    );
    fs.rmSync(empty, { recursive: true });
  });
});

describe("upgrade-plan", () => {
  const USAGE = "usage: npm run upgrade-plan -- <stack> <minor>   (e.g. prod 1.34)";

  test.each([
    [["prod", "1.35"], 'Refused: <minor> = "1.35": expected 1.34: prod runs 1.33, and EKS upgrades one minor at a time'],
    [["prod", "1.33"], 'Refused: <minor> = "1.33": expected 1.34: prod runs 1.33, and EKS upgrades one minor at a time'],
    [["prod", "latest"], 'Refused: <minor> = "latest": expected 1.34'],
    [["local", "1.34"], 'Refused: <stack> = "local" is not on AWS, where this command works: expected one of admin, e2e, stage, prod'],
    [["prod"], "Refused: missing <minor>"],
  ])("%j, before anything is evaluated or started", (args, message) => {
    const refused = refusal(runScript("upgrade-plan.ts", args));
    expect(firstLine(refused)).toContain(message);
    expect(usageOf(refused)).toBe(USAGE);
  });
});

describe("inventory and bench", () => {
  test("inventory takes environments only, and writes nothing when one is wrong", () => {
    const before = fs
      .readdirSync(path.join(PROJECT_DIR, "inventory"))
      .map((file) => fs.statSync(path.join(PROJECT_DIR, "inventory", file)).mtimeMs);
    const refused = refusal(runScript("inventory.ts", ["local", "prod-tenancy-1"]));
    expect(firstLine(refused)).toBe(
      'Refused: <stack> = "prod-tenancy-1" is a tenancy shard, which this command does not take: expected one of e2e, stage, prod, admin, local',
    );
    expect(usageOf(refused)).toBe("usage: npm run inventory [-- <environment>...]");
    expect(
      fs.readdirSync(path.join(PROJECT_DIR, "inventory")).map((file) => fs.statSync(path.join(PROJECT_DIR, "inventory", file)).mtimeMs),
    ).toEqual(before);
  });

  test("bench takes no argument, and an environment in BENCH_TEAMS_STACK", () => {
    expect(firstLine(refusal(runScript("bench.ts", ["--teams", "10"])))).toBe(
      "Refused: unknown option --teams: this command takes no options",
    );
    expect(firstLine(refusal(runScript("bench.ts", [], { env: { BENCH_TEAMS_STACK: "production" } })))).toBe(
      'Refused: BENCH_TEAMS_STACK = "production" is not a stack of this project: expected one of e2e, stage, prod, admin, local',
    );
  });
});

describe("bench:real and bench:rollback", () => {
  const USAGE = "usage: npm run bench:real -- --teams N [--per-shard N]";

  test.each([
    [["--teams", "-5"], 'Refused: --teams = "-5": expected a whole number of at least 1'],
    [["--teams", "ten"], 'Refused: --teams = "ten": expected a whole number of at least 1'],
    [["--per-shard", "100"], 'Refused: --per-shard = "100": expected a whole number from 1 to 99'],
    [["--env", "PULUMI_SKIP_CHECKPOINTS"], 'Refused: --env = "PULUMI_SKIP_CHECKPOINTS": expected KEY=VALUE'],
    [["--no-kubectl", "--no-pulumi"], "Refused: --no-kubectl and --no-pulumi together leave nothing to measure: give one at most"],
    [["--teams=10"], 'Refused: unknown argument "--teams=10"'],
  ])("bench:real %j: no stack trace, no control plane", (args, message) => {
    const refused = refusal(runScript("bench-real.ts", args));
    expect(firstLine(refused)).toBe(message);
    expect(usageOf(refused)).toContain(USAGE);
  });

  test.each([
    [{ BENCH_ROUNDS: "0" }, 'Refused: BENCH_ROUNDS = "0": expected a whole number of at least 1'],
    [{ BENCH_NPM_CI: "no" }, 'Refused: BENCH_NPM_CI = "no": expected one of 0, 1'],
  ])("bench:rollback %j", (env, message) => {
    const refused = refusal(runScript("bench-rollback.ts", [], { env }));
    expect(firstLine(refused)).toBe(message);
    expect(usageOf(refused)).toContain("npm run bench:rollback");
  });
});

describe("risky-change", () => {
  const USAGE = "usage: npm run --silent risky-change -- <output of pulumi preview --json>";
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true }));
  const file = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));

  test.each([
    ["/no/such/preview.json", "and there is no such file"],
    [file("text.json", "error: no stack named 'prod' found\n"), "and it is not JSON"],
    [file("list.json", "[]"), "whose steps each have an op and a urn"],
    [file("steps.json", '{"steps": [{"op": "update"}]}'), "whose steps each have an op and a urn"],
  ])("%s: exit 2, never 0 or 3 (no backup due, a backup due)", (preview, message) => {
    const refused = refusal(runScript("risky-change.ts", [preview]));
    expect(firstLine(refused)).toMatch(
      new RegExp(
        `^Refused: <preview\\.json> = "${preview.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}": expected the output of \`pulumi preview --json\``,
      ),
    );
    expect(firstLine(refused)).toContain(message);
    expect(usageOf(refused)).toBe(USAGE);
  });
});
