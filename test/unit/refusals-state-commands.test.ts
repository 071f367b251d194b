/**
 * The commands that act on a stack's state through the pulumi CLI (rollback, move-teams, kubeconfig, deploy-plan,
 * delivery, drift, backup), given bad arguments, settings and files as an operator might: each refuses with one
 * message naming what it was given, what it expects and its usage, exits 2, and starts nothing (the pulumi and kubectl
 * on its PATH record every start) and leaves nothing behind (test/command-runs.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { syntheticTeams } from "../../scripts/bench/teams";
import { MISSING_CLI } from "../../scripts/lib/pulumi-cli";
import { projectWith, RECORDED_PROGRAMS, refusal, runScript } from "../command-runs";

jest.setTimeout(60_000);

const WITHOUT_PULUMI = RECORDED_PROGRAMS.filter((program) => program !== "pulumi");
const firstLine = (message: string) => message.split("\n")[0];
const usageOf = (message: string) => message.split("\n").pop();
const AWS_STACKS =
  "one of admin, e2e, stage, prod, or a tenancy shard <environment>-tenancy-<n> with its Pulumi.<stack>.yaml (this checkout has none)";
const ENVIRONMENTS = "one of e2e, stage, prod, admin, local, or a tenancy shard <environment>-tenancy-<n> with its Pulumi.<stack>.yaml";

describe("rollback", () => {
  const rollback = (...args: string[]) => refusal(runScript("rollback.ts", args));

  test.each([
    [["prod", "--force"], "Refused: unknown option --force: expected --list, --to, --yes, --help"],
    [["prod", "--to", "v2"], `Refused: --to = "v2": expected a version of the stack's history (see --list), a whole number of at least 1`],
    [["prod", "--list", "--to", "3"], "Refused: --list and --to exclude each other: list first, then roll back"],
    [["qa"], `Refused: <stack> = "qa" is not a stack of this project: expected ${ENVIRONMENTS} (this checkout has none)`],
    [[], "Refused: missing <stack>"],
  ])("%j", (args, message) => {
    const refused = rollback(...args);
    expect(firstLine(refused)).toBe(message);
    expect(refused).toContain("usage: npm run rollback -- <stack> [--list | --to <version>] [--yes]");
  });

  test("without the pulumi CLI: named with how to get it, not `spawn pulumi ENOENT`", () => {
    expect(refusal(runScript("rollback.ts", ["prod", "--list"], { programs: WITHOUT_PULUMI }))).toBe(`Refused: ${MISSING_CLI}`);
  });

  test("a PULUMI_BACKEND_URL the CLI cannot log in to", () => {
    const withUrl = refusal(runScript("rollback.ts", ["prod", "--list"], { env: { PULUMI_BACKEND_URL: "state/" } }));
    expect(firstLine(withUrl)).toMatch(/^Refused: PULUMI_BACKEND_URL = "state\/": expected a state backend URL, file:\/\/…/);
  });
});

describe("move-teams", () => {
  const moveTeams = (args: string[], cwd?: string) => refusal(runScript("move-teams.ts", args, { cwd }));
  const USAGE = "usage: npm run move-teams -- <to-stack> [--from <stack>] [--yes]";

  test("a destination that is no stack of the project names the stacks, not --from", () => {
    const refused = moveTeams(["qa"]);
    expect(firstLine(refused)).toBe(
      `Refused: <to-stack> = "qa" is not a stack of this project: expected ${ENVIRONMENTS} (this checkout has none)`,
    );
    expect(usageOf(refused)).toContain(USAGE);
  });

  test("a source of another environment names the stacks of the destination's", () => {
    const project = projectWith({ "Pulumi.prod-tenancy-1.yaml": stringify({ config: { "platform:teams": [] } }) });
    expect(firstLine(moveTeams(["prod-tenancy-1", "--from", "stage"], project))).toBe(
      'Refused: --from = "stage": expected another stack of prod than prod-tenancy-1: prod',
    );
    expect(firstLine(moveTeams(["prod"], project))).toBe(
      "Refused: moving teams into prod's own stack takes --from <the shard they leave>: prod-tenancy-1",
    );
    fs.rmSync(project, { recursive: true });
  });

  test("options: unknown, or --from without its stack", () => {
    expect(firstLine(moveTeams(["local", "--force"]))).toBe("Refused: unknown option --force: expected --from, --yes");
    expect(firstLine(moveTeams(["local", "--from"]))).toBe("Refused: --from needs a value: --from <stack>");
  });

  describe("a shard's file is held to the program's rules before any state moves", () => {
    const shard = (config: Record<string, unknown>) => projectWith({ "Pulumi.local-tenancy-1.yaml": stringify({ config }) });
    const header = 'Refused: Invalid configuration for stack "local-tenancy-1" (Pulumi.local-tenancy-1.yaml); nothing was deployed:';
    const gamma = { ...syntheticTeams(1)[0], name: "gamma" };

    test.each([
      [
        "a team its environment's stack lists",
        { "platform:teams": [gamma, { ...gamma, name: "alpha" }] },
        `  platform:teams[1].name = "alpha": expected a team not in another stack of local ("alpha" is in Pulumi.local.yaml)`,
      ],
      [
        "more teams than a stack may hold",
        { "platform:teams": syntheticTeams(101) },
        ": expected at most 100 teams per stack (got 101): put the others in a tenancy shard",
      ],
      [
        "a key a shard may not set",
        { "platform:teams": [gamma], "platform:tenancy": { podSecurity: "baseline" } },
        "  platform:tenancy = ",
      ],
    ])("%s", (_, config, line) => {
      const project = shard(config);
      const refused = moveTeams(["local-tenancy-1"], project);
      expect(refused.split("\n").slice(0, 2)).toEqual([header, expect.stringContaining(line)]);
      expect(usageOf(refused)).toContain(USAGE);
      fs.rmSync(project, { recursive: true });
    });

    test("a shard of an environment that does not exist", () => {
      const project = projectWith({ "Pulumi.qa-tenancy-1.yaml": stringify({ config: { "platform:teams": [gamma] } }) });
      expect(firstLine(moveTeams(["qa-tenancy-1"], project))).toBe(
        `Refused: <to-stack> = "qa-tenancy-1" is a tenancy shard of qa, which is not an environment: expected ${ENVIRONMENTS} (this checkout has none)`,
      );
      fs.rmSync(project, { recursive: true });
    });
  });
});

describe("kubeconfig", () => {
  test.each([
    [["local"], 'Refused: <stack> = "local" is not on AWS, where this command works: expected one of admin, e2e, stage, prod'],
    [["prod", "extra"], 'Refused: unexpected argument "extra": expected only <stack>'],
    [[], "Refused: missing <stack>"],
  ])("%j", (args, message) => {
    const refused = refusal(runScript("kubeconfig.ts", args));
    expect(firstLine(refused)).toBe(message);
    expect(usageOf(refused)).toBe("usage: npm run --silent kubeconfig -- <stack> > <file>");
  });

  test("without the pulumi CLI: named with how to get it, not `spawn pulumi ENOENT`", () => {
    expect(refusal(runScript("kubeconfig.ts", ["prod"], { programs: WITHOUT_PULUMI }))).toBe(`Refused: ${MISSING_CLI}`);
  });
});

describe("deploy-plan", () => {
  const deployPlan = (...args: string[]) => refusal(runScript("deploy-plan.ts", args));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-dir-"));
  fs.writeFileSync(path.join(dir, "preview.json"), "not json");
  afterAll(() => fs.rmSync(dir, { recursive: true }));

  test.each([
    [["plan", "prod", dir], 'Refused: <command> = "plan": expected one of save, apply, changes'],
    [["save", "qa", dir], `Refused: <stack> = "qa" is not a stack of this project: expected ${ENVIRONMENTS} (this checkout has none)`],
    [["apply", "prod", dir], "Refused: missing <message>"],
    [
      ["apply", "prod", "/no/such/plan", "m"],
      'Refused: <dir> = "/no/such/plan": expected the directory `save` wrote, and there is no such directory',
    ],
    [
      ["changes", dir],
      `Refused: <dir>/preview.json = "${dir}/preview.json": expected the preview \`save\` wrote there (preview.json), and it is not JSON`,
    ],
  ])("%j", (args, message) => {
    const refused = deployPlan(...args);
    expect(firstLine(refused)).toBe(message);
    expect(usageOf(refused)).toBe("usage: npm run deploy-plan -- save <stack> <dir> | apply <stack> <dir> <message> | changes <dir>");
  });

  test("apply of a directory without the record `save` writes: nothing runs", () => {
    expect(deployPlan("apply", "prod", dir, "m")).toBe(
      `Refused: ${path.join(dir, "plan-record.json")} does not exist: apply takes the directory \`save\` wrote`,
    );
  });

  test("a shard whose file the program would refuse, before its preview", () => {
    const alpha = { ...syntheticTeams(1)[0], name: "alpha" };
    const project = projectWith({ "Pulumi.local-tenancy-1.yaml": stringify({ config: { "platform:teams": [alpha] } }) });
    const refused = refusal(runScript("deploy-plan.ts", ["save", "local-tenancy-1", path.join(dir, "shard-plan")], { cwd: project }));
    expect(refused.split("\n").slice(0, 2)).toEqual([
      'Refused: Invalid configuration for stack "local-tenancy-1" (Pulumi.local-tenancy-1.yaml); nothing was deployed:',
      '  platform:teams[0].name = "alpha": expected a team not in another stack of local ("alpha" is in Pulumi.local.yaml)',
    ]);
    fs.rmSync(project, { recursive: true });
  });

  test("without the pulumi CLI, before the plan directory is written", () => {
    const fresh = path.join(dir, "new-plan");
    expect(refusal(runScript("deploy-plan.ts", ["save", "prod", fresh], { programs: WITHOUT_PULUMI }))).toBe(`Refused: ${MISSING_CLI}`);
    expect(fs.existsSync(fresh)).toBe(false);
  });
});

describe("delivery", () => {
  test.each([
    [["deploy"], 'Refused: <command> = "deploy": expected one of aws, stacks, deployed-commit, require-deployed'],
    [["aws", "prod", "apply"], 'Refused: <purpose> = "apply": expected one of deploy, preview'],
    [["aws", "local", "deploy"], `Refused: <stack> = "local" is not on AWS, where this command works: expected ${AWS_STACKS}`],
    [["require-deployed", "stage", "HEAD", "prod"], 'Refused: <commit> = "HEAD": expected a full commit id (40 hexadecimal digits)'],
    [
      ["require-deployed", "stage", "a".repeat(40), "prd"],
      `Refused: <stack> = "prd" is not a stack of this project: expected ${ENVIRONMENTS} (this checkout has none)`,
    ],
    [["stacks", "prod"], 'Refused: unexpected argument "prod": this command takes no arguments'],
  ])("%j", (args, message) => {
    const refused = refusal(runScript("delivery.ts", args));
    expect(firstLine(refused)).toBe(message);
    expect(refused).toMatch(/\n(usage: | {7})npm run --silent delivery -- /);
  });

  test("deployed-commit without the pulumi CLI", () => {
    expect(refusal(runScript("delivery.ts", ["deployed-commit", "prod"], { programs: WITHOUT_PULUMI }))).toBe(`Refused: ${MISSING_CLI}`);
  });
});

describe("drift", () => {
  const USAGE = "usage: npm run --silent drift -- <stack> [--program-dir <dir>]";

  test.each([
    [
      ["prod", "--program-dir", "/no/such/checkout"],
      'Refused: --program-dir = "/no/such/checkout": expected a checkout of the commit the stack runs, and there is no such directory',
    ],
    [["prod", "--refresh"], "Refused: unknown option --refresh: expected --program-dir"],
    [["qa"], `Refused: <stack> = "qa" is not a stack of this project: expected ${ENVIRONMENTS} (this checkout has none)`],
  ])("%j", (args, message) => {
    const refused = refusal(runScript("drift.ts", args));
    expect(firstLine(refused)).toBe(message);
    expect(usageOf(refused)).toBe(USAGE);
  });

  test("a passphrase stack without its passphrase, and a checkout without the stack's policy settings", () => {
    const checkout = fs.mkdtempSync(path.join(os.tmpdir(), "drift-checkout-"));
    fs.writeFileSync(path.join(checkout, "Pulumi.local.yaml"), "encryptionsalt: v1:abc\nconfig: {}\n");
    expect(refusal(runScript("drift.ts", ["local", "--program-dir", checkout]))).toBe(
      `Refused: policy/config/local.json does not exist in ${checkout}: every stack is deployed with the policy pack and its settings`,
    );
    fs.mkdirSync(path.join(checkout, "policy", "config"), { recursive: true });
    fs.writeFileSync(path.join(checkout, "policy", "config", "local.json"), "{}");
    const refused = refusal(runScript("drift.ts", ["local", "--program-dir", checkout]));
    expect(firstLine(refused)).toBe(
      "Refused: local encrypts its secrets with a passphrase (Pulumi.local.yaml), and neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set: set one of them",
    );
    expect(usageOf(refused)).toBe(USAGE);
    fs.rmSync(checkout, { recursive: true });
  });
});

describe("backup", () => {
  test.each([
    [["local"], `Refused: <stack> = "local" is not on AWS, where this command works: expected ${AWS_STACKS}`],
    [["prod", "--ttl", "a week"], 'Refused: --ttl = "a week": expected a duration such as 90m, 48h or 30d'],
    [["prod", "--timeout-minutes", "-1"], 'Refused: --timeout-minutes = "-1": expected a whole number of at least 1'],
    [["prod", "--namespaces", "Payments"], 'Refused: --namespaces = "Payments": expected namespace names or *, separated by commas'],
  ])("%j", (args, message) => {
    const refused = refusal(runScript("backup.ts", args));
    expect(firstLine(refused)).toBe(message);
    expect(usageOf(refused)).toContain("usage: npm run backup -- <stack> [--wait]");
  });

  test("without kubectl, before the kubeconfig is read", () => {
    const programs = RECORDED_PROGRAMS.filter((program) => program !== "kubectl");
    expect(refusal(runScript("backup.ts", ["prod"], { programs }))).toMatch(
      /^Refused: kubectl is not on PATH: install it .*bash scripts\/toolchain\.sh/,
    );
  });
});
