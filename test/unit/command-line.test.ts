/**
 * What every command shares (scripts/lib): how a command line is read and refused, how a command ends (0 done,
 * 1 failed, 2 refused, one message, no stack trace), which stacks a command takes, and the settings it reads.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expectPositionals, parseCommandLine, wholeNumber } from "../../scripts/lib/args";
import { EXIT, Refused, settle, UsageError } from "../../scripts/lib/command";
import { MISSING_CLI, requirePulumiCli } from "../../scripts/lib/pulumi-cli";
import { chartMirrorSetting, checkBackendUrl, checkPassphrase, currentKubeconfig } from "../../scripts/lib/settings";
import { requireStack } from "../../scripts/lib/stacks";

const USAGE = "usage: npm run example -- <stack> [--to <version>] [--yes]";
const OPTIONS = { "--to": { value: "<version>" }, "--yes": { aliases: ["-y"] } };
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "command-line-"));

/** The refusal `fn` throws: a UsageError ending with the usage line. */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).describe()).toBe(`Refused: ${(error as Error).message}\n${USAGE}`);
    return (error as Error).message;
  }
  throw new Error("expected a usage error");
}

describe("a command line", () => {
  test("options with a value (separate or attached), flags and their aliases, positionals", () => {
    const line = parseCommandLine(["prod", "--to=7", "-y"], OPTIONS, USAGE);
    expect([line.positionals, line.value("--to"), line.has("--yes")]).toEqual([["prod"], "7", true]);
    expect(expectPositionals(parseCommandLine(["prod", "--to", "7"], OPTIONS, USAGE), ["<stack>"], USAGE)).toEqual(["prod"]);
  });

  test.each([
    [["prod", "--force"], "unknown option --force: expected --to, --yes"],
    [["prod", "--to"], "--to needs a value: --to <version>"],
    [["prod", "--to", "--yes"], "--to needs a value: --to <version>"],
    [["prod", "--yes=no"], '--yes = "no": --yes is a flag and takes no value'],
    [["prod", "--to", "1", "--to", "2"], "--to is given twice: expected it once"],
  ])("%j is refused with what was given and what is expected", (argv, message) => {
    expect(usageError(() => parseCommandLine(argv, OPTIONS, USAGE))).toBe(message);
  });

  test("positionals missing, or more than expected", () => {
    const line = (...argv: string[]) => parseCommandLine(argv, OPTIONS, USAGE);
    expect(usageError(() => expectPositionals(line(), ["<stack>"], USAGE))).toBe("missing <stack>");
    expect(usageError(() => expectPositionals(line("a", "b", "c"), ["<stack>"], USAGE))).toBe(
      'unexpected arguments "b" "c": expected only <stack>',
    );
    expect(usageError(() => expectPositionals(line("x"), [], USAGE))).toBe('unexpected argument "x": this command takes no arguments');
  });

  test.each(["-5", "0", "1.5", "ten", "", "1e3"])("whole numbers: %j is refused", (value) => {
    expect(usageError(() => wholeNumber("--teams", value, USAGE, { min: 1, max: 99 }))).toBe(
      `--teams = ${JSON.stringify(value)}: expected a whole number from 1 to 99`,
    );
  });
});

describe("how a command ends", () => {
  test("done: its status, or 0; refused: 2 and the refusal; failed: 1 and the message, never a stack trace", async () => {
    expect(await settle(async () => undefined)).toEqual({ status: EXIT.done });
    expect(await settle(async () => 3)).toEqual({ status: 3 });
    expect(await settle(async () => Promise.reject(new UsageError("missing <stack>", USAGE)))).toEqual({
      status: EXIT.refused,
      message: `Refused: missing <stack>\n${USAGE}`,
    });
    expect(await settle(async () => Promise.reject(new Refused("stack prod is locked")))).toEqual({
      status: 2,
      message: "Refused: stack prod is locked",
    });
    const failed = await settle(async () => Promise.reject(new TypeError("cannot read x")));
    expect(failed).toEqual({ status: EXIT.failed, message: "cannot read x" });
    expect(await settle(() => Promise.reject(new Error("e")), { describeFailure: (e) => `!${e.message}` })).toEqual({
      status: 1,
      message: "!e",
    });
  });

  test("a main that throws before it returns a promise is settled the same way", async () => {
    const main = (): Promise<void> => {
      throw new UsageError("missing <stack>", USAGE);
    };
    expect(await settle(main)).toEqual({ status: 2, message: `Refused: missing <stack>\n${USAGE}` });
  });
});

describe("the stacks a command takes", () => {
  const project = tempDir();
  fs.writeFileSync(path.join(project, "Pulumi.prod-tenancy-1.yaml"), "config: {}\n");
  const all = { environments: "all", shards: true } as const;

  test("an environment, or a shard with a file in the checkout", () => {
    expect(requireStack("prod", all, USAGE, project)).toBe("prod");
    expect(requireStack("prod-tenancy-1", all, USAGE, project)).toBe("prod-tenancy-1");
  });

  test.each([
    ["qa", all, '<stack> = "qa" is not a stack of this project: expected one of e2e, stage, prod, admin, local, or a tenancy shard'],
    ["qa-tenancy-1", all, '<stack> = "qa-tenancy-1" is a tenancy shard of qa, which is not an environment: expected'],
    ["prod-tenancy-2", all, '<stack> = "prod-tenancy-2": this checkout has no Pulumi.prod-tenancy-2.yaml; expected'],
    ["prod-tenancy-1", { environments: "all", shards: false }, "is a tenancy shard, which this command does not take: expected one of"],
    [
      "local",
      { environments: "aws", shards: false },
      '<stack> = "local" is not on AWS, where this command works: expected one of admin, e2e, stage, prod',
    ],
  ] as const)("%s is refused (%j), naming the stacks that would do", (stack, choice, message) => {
    const refused = usageError(() => requireStack(stack, choice, USAGE, project));
    expect(refused).toContain(message);
    if (choice.shards) expect(refused).toContain("(here: prod-tenancy-1)");
  });
});

describe("the settings a command reads", () => {
  test("the pulumi CLI, named with how to get it", () => {
    expect(() => requirePulumiCli({ PATH: tempDir() })).toThrow(new Refused(MISSING_CLI));
    expect(MISSING_CLI).toContain("bash scripts/toolchain.sh");
  });

  test("PULUMI_BACKEND_URL: a backend the CLI logs in to, or unset", () => {
    for (const url of ["s3://state?region=eu-west-1", "file:///tmp/state?metadata=skip", "https://api.pulumi.com", "gs://b", "azblob://c"])
      expect(() => checkBackendUrl({ PULUMI_BACKEND_URL: url }, USAGE)).not.toThrow();
    expect(usageError(() => checkBackendUrl({ PULUMI_BACKEND_URL: "/tmp/state" }, USAGE))).toMatch(
      /^PULUMI_BACKEND_URL = "\/tmp\/state": expected a state backend URL, file:\/\/…, s3:\/\/…/,
    );
    expect(usageError(() => checkBackendUrl({ PULUMI_BACKEND_URL: "ftp://host" }, USAGE))).toContain('"ftp://host"');
  });

  test("a passphrase stack needs PULUMI_CONFIG_PASSPHRASE (even empty) or an existing PULUMI_CONFIG_PASSPHRASE_FILE", () => {
    const project = tempDir();
    fs.writeFileSync(path.join(project, "Pulumi.local.yaml"), "encryptionsalt: v1:abc\nconfig: {}\n");
    fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), "secretsprovider: awskms://alias/x\nconfig: {}\n");
    const passphraseFile = path.join(project, "passphrase");
    fs.writeFileSync(passphraseFile, "local");
    expect(usageError(() => checkPassphrase("local", {}, project, USAGE))).toBe(
      "local encrypts its secrets with a passphrase (Pulumi.local.yaml), and neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set: set one of them",
    );
    expect(() => checkPassphrase("local", { PULUMI_CONFIG_PASSPHRASE: "" }, project, USAGE)).not.toThrow();
    expect(() => checkPassphrase("local", { PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile }, project, USAGE)).not.toThrow();
    expect(() => checkPassphrase("prod", {}, project, USAGE)).not.toThrow();
    expect(usageError(() => checkPassphrase("prod", { PULUMI_CONFIG_PASSPHRASE_FILE: "/no/such/file" }, project, USAGE))).toBe(
      `PULUMI_CONFIG_PASSPHRASE_FILE = "/no/such/file": expected a file holding the stacks' passphrase, and there is no such file`,
    );
  });

  test("PLATFORM_CHART_MIRROR: a URL, or a directory holding every pinned chart", () => {
    expect(chartMirrorSetting(undefined, USAGE)).toEqual({ kind: "upstream" });
    expect(chartMirrorSetting("oci://registry.example.com/charts", USAGE).kind).toBe("oci");
    expect(usageError(() => chartMirrorSetting("/no/such/dir", USAGE))).toBe(
      'PLATFORM_CHART_MIRROR = "/no/such/dir": expected an existing directory of chart archives (or an http(s):// or oci:// URL)',
    );
    expect(usageError(() => chartMirrorSetting(tempDir(), USAGE, "--mirror"))).toMatch(
      /^--mirror = ".*": expected a directory holding every pinned chart \(lib\/versions\.ts CHARTS\), and it lacks .*cert-manager-v/,
    );
  });

  test("KUBECONFIG: a kubeconfig whose current context it defines", () => {
    const dir = tempDir();
    const file = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
    const good = file("good", "contexts: [{ name: a }]\ncurrent-context: a\n");
    expect(currentKubeconfig({ KUBECONFIG: `${good}${path.delimiter}/other` }, USAGE)).toEqual({ file: good, context: "a" });
    expect(usageError(() => currentKubeconfig({ KUBECONFIG: "/no/such/kubeconfig" }, USAGE))).toBe(
      'KUBECONFIG = "/no/such/kubeconfig": expected a kubeconfig file, and there is no such file',
    );
    expect(usageError(() => currentKubeconfig({ HOME: dir }, USAGE))).toBe(
      `${dir}/.kube/config (KUBECONFIG is not set): expected a kubeconfig file, and there is no such file`,
    );
    const stale = file("stale", "contexts: [{ name: a }]\ncurrent-context: b\n");
    expect(usageError(() => currentKubeconfig({ KUBECONFIG: stale }, USAGE))).toContain(
      'expected a kubeconfig whose current-context is one of its contexts (a), got "b"',
    );
    expect(usageError(() => currentKubeconfig({ KUBECONFIG: file("bad", "a: [") }, USAGE))).toContain(
      "expected a kubeconfig, and it is not YAML",
    );
  });
});
