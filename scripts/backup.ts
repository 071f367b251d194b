/**
 * `npm run backup -- <stack> [--wait] [--ttl <duration>] [--namespaces <ns,…>]`: takes a Velero backup of a
 * stack's cluster before a risky change (an upgrade, a migration, a manual repair): every object of the chosen
 * namespaces plus an EBS snapshot of every persistent volume, kept for the TTL (default 7d). Reaches the
 * cluster with `kubectl` and the stack's `kubeconfig` output (read with the `pulumi` CLI and its current login,
 * written to a private temporary file). `--wait` polls until Velero reports the backup finished.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { preChangeBackup, preChangeBackupName, VELERO_NAMESPACE } from "../components/backups";
import { committedStackConfig } from "../config/committed-stacks";
import { environmentOf } from "../config/tenancy-shards";
import { toGoDuration } from "../lib/duration";
import { expectPositionals, given, parseCommandLine, wholeNumber } from "./lib/args";
import { EXIT, Refused, runCommand, UsageError } from "./lib/command";
import { checkPulumiSettings } from "./lib/pulumi-cli";
import { MISSING_KUBECTL, requireProgram } from "./lib/settings";
import { stackOutputs } from "./lib/stack-records";
import { requireStack } from "./lib/stacks";

export const USAGE =
  "usage: npm run backup -- <stack> [--wait] [--ttl <duration, e.g. 7d>] [--namespaces <ns,ns,…>] [--timeout-minutes <n>]";

const OPTIONS = {
  "--wait": {},
  "--ttl": { value: "<duration>" },
  "--namespaces": { value: "<ns,ns,…>" },
  "--timeout-minutes": { value: "<n>" },
};

export interface BackupCommand {
  readonly stack: string;
  readonly wait: boolean;
  readonly ttl: string;
  readonly includedNamespaces: string[];
  readonly timeoutMinutes: number;
}

export function parseBackupArgs(argv: readonly string[]): BackupCommand {
  const line = parseCommandLine(argv, OPTIONS, USAGE);
  const [stack] = expectPositionals(line, ["<stack>"], USAGE);
  const ttl = line.value("--ttl") ?? "7d";
  try {
    toGoDuration(ttl);
  } catch {
    throw new UsageError(`${given("--ttl", ttl)}: expected a duration such as 90m, 48h or 30d`, USAGE);
  }
  const namespaces = line.value("--namespaces");
  const includedNamespaces = namespaces === undefined ? ["*"] : namespaces.split(",").filter(Boolean);
  const invalid = includedNamespaces.find((ns) => ns !== "*" && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns));
  if (includedNamespaces.length === 0 || invalid !== undefined)
    throw new UsageError(`${given("--namespaces", namespaces ?? "")}: expected namespace names or *, separated by commas`, USAGE);
  const timeout = line.value("--timeout-minutes");
  const timeoutMinutes = timeout === undefined ? 60 : wholeNumber("--timeout-minutes", timeout, USAGE, { min: 1 });
  return { stack, wait: line.has("--wait"), ttl, includedNamespaces, timeoutMinutes };
}

/** Velero's Backup phases that end a backup, and whether each means the snapshots can be relied on. */
const FINAL_PHASES: Record<string, boolean> = { Completed: true, PartiallyFailed: false, Failed: false, FailedValidation: false };

export function backupOutcome(phase: string): "succeeded" | "failed" | "running" {
  if (!(phase in FINAL_PHASES)) return "running";
  return FINAL_PHASES[phase] ? "succeeded" : "failed";
}

const POLL_SECONDS = 10;
const PROJECT_DIR = process.cwd();

/** The environment whose cluster holds the stack's objects (a shard's: its environment's), if it runs Velero. */
function veleroEnvironment(stack: string): string {
  requireStack(stack, { environments: "aws", shards: true }, USAGE);
  const environment = environmentOf(stack);
  if (committedStackConfig(environment, PROJECT_DIR)?.["platform:services"]?.backups?.enabled !== true)
    throw new Refused(
      `${environment} runs no Velero (platform:services.backups.enabled in Pulumi.${environment}.yaml): nothing can take its backup`,
    );
  return environment;
}

async function main(argv: string[]): Promise<number> {
  const command = parseBackupArgs(argv);
  const environment = veleroEnvironment(command.stack);
  checkPulumiSettings(environment, PROJECT_DIR, USAGE);
  requireProgram("kubectl", process.env, MISSING_KUBECTL);
  const manifest = preChangeBackup({
    name: preChangeBackupName(new Date()),
    ttl: command.ttl,
    includedNamespaces: command.includedNamespaces,
  });

  const { kubeconfig } = await stackOutputs(environment);
  if (kubeconfig === undefined) throw new Refused(`stack ${environment} has no kubeconfig output: deploy it first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-backup-"));
  const kubeconfigFile = path.join(dir, "kubeconfig");
  try {
    fs.writeFileSync(kubeconfigFile, typeof kubeconfig === "string" ? kubeconfig : JSON.stringify(kubeconfig), { mode: 0o600 });
    const kubectl = (args: string[], input?: string) =>
      execFileSync("kubectl", ["--kubeconfig", kubeconfigFile, ...args], { encoding: "utf8", input });
    process.stdout.write(kubectl(["create", "-f", "-"], JSON.stringify(manifest)));
    if (!command.wait) {
      console.log(`Follow it with: velero backup describe ${manifest.metadata.name} --details (namespace ${VELERO_NAMESPACE})`);
      return EXIT.done;
    }
    return await waitForBackup(manifest.metadata.name, command.timeoutMinutes, kubectl);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls the Backup until Velero ends it: 0 when its snapshots can be relied on. */
async function waitForBackup(name: string, timeoutMinutes: number, kubectl: (args: string[]) => string): Promise<number> {
  const deadline = Date.now() + timeoutMinutes * 60_000;
  while (Date.now() < deadline) {
    const phase = kubectl(["get", `backups.velero.io/${name}`, "-n", VELERO_NAMESPACE, "-o", "jsonpath={.status.phase}"]).trim();
    const outcome = backupOutcome(phase);
    if (outcome !== "running") {
      console.log(`backup ${name}: ${phase}`);
      return outcome === "succeeded" ? EXIT.done : EXIT.failed;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_SECONDS * 1000));
  }
  console.error(`backup ${name} did not finish within ${timeoutMinutes} minutes; it keeps running in the cluster`);
  return EXIT.failed;
}

if (require.main === module) runCommand(() => main(process.argv.slice(2)));
