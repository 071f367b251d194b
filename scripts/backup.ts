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
import { toGoDuration } from "../lib/duration";
import { environmentOf } from "../config/tenancy-shards";

export const USAGE =
  "usage: npm run backup -- <stack> [--wait] [--ttl <duration, e.g. 7d>] [--namespaces <ns,ns,…>] [--timeout-minutes <n>]";

export interface BackupCommand {
  readonly stack: string;
  readonly wait: boolean;
  readonly ttl: string;
  readonly includedNamespaces: string[];
  readonly timeoutMinutes: number;
}

export class UsageError extends Error {}

export function parseBackupArgs(argv: readonly string[]): BackupCommand {
  const [stack, ...rest] = argv;
  if (!stack || stack.startsWith("-")) throw new UsageError("missing <stack>");
  const command = { stack, wait: false, ttl: "7d", includedNamespaces: ["*"], timeoutMinutes: 60 };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => {
      const next = rest[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === "--wait") command.wait = true;
    else if (flag === "--ttl") command.ttl = value();
    else if (flag === "--namespaces") command.includedNamespaces = value().split(",").filter(Boolean);
    else if (flag === "--timeout-minutes") command.timeoutMinutes = Number(value());
    else throw new UsageError(`unknown argument ${flag}`);
  }
  try {
    toGoDuration(command.ttl);
  } catch (error) {
    throw new UsageError(`--ttl: ${(error as Error).message}`);
  }
  const invalid = command.includedNamespaces.find((ns) => ns !== "*" && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns));
  if (command.includedNamespaces.length === 0 || invalid !== undefined)
    throw new UsageError(`--namespaces: expected namespace names or *, got "${invalid ?? ""}"`);
  if (!Number.isInteger(command.timeoutMinutes) || command.timeoutMinutes < 1)
    throw new UsageError("--timeout-minutes: expected a whole number >= 1");
  return command;
}

/** Velero's Backup phases that end a backup, and whether each means the snapshots can be relied on. */
const FINAL_PHASES: Record<string, boolean> = { Completed: true, PartiallyFailed: false, Failed: false, FailedValidation: false };

export function backupOutcome(phase: string): "succeeded" | "failed" | "running" {
  if (!(phase in FINAL_PHASES)) return "running";
  return FINAL_PHASES[phase] ? "succeeded" : "failed";
}

const POLL_SECONDS = 10;

async function main(argv: string[]): Promise<number> {
  const command = parseBackupArgs(argv);
  const manifest = preChangeBackup({
    name: preChangeBackupName(new Date()),
    ttl: command.ttl,
    includedNamespaces: command.includedNamespaces,
  });
  // A tenancy shard's objects are on its environment's cluster, whose stack has the kubeconfig.
  const kubeconfig = execFileSync("pulumi", ["stack", "output", "kubeconfig", "--show-secrets", "--stack", environmentOf(command.stack)], {
    encoding: "utf8",
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-backup-"));
  const kubeconfigFile = path.join(dir, "kubeconfig");
  try {
    fs.writeFileSync(kubeconfigFile, kubeconfig, { mode: 0o600 });
    const kubectl = (args: string[], input?: string) =>
      execFileSync("kubectl", ["--kubeconfig", kubeconfigFile, ...args], { encoding: "utf8", input });
    process.stdout.write(kubectl(["create", "-f", "-"], JSON.stringify(manifest)));
    if (!command.wait) {
      console.log(`Follow it with: velero backup describe ${manifest.metadata.name} --details (namespace ${VELERO_NAMESPACE})`);
      return 0;
    }
    const deadline = Date.now() + command.timeoutMinutes * 60_000;
    while (Date.now() < deadline) {
      const phase = kubectl([
        "get",
        `backups.velero.io/${manifest.metadata.name}`,
        "-n",
        VELERO_NAMESPACE,
        "-o",
        "jsonpath={.status.phase}",
      ]).trim();
      const outcome = backupOutcome(phase);
      if (outcome !== "running") {
        console.log(`backup ${manifest.metadata.name}: ${phase}`);
        return outcome === "succeeded" ? 0 : 1;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_SECONDS * 1000));
    }
    console.error(
      `backup ${manifest.metadata.name} did not finish within ${command.timeoutMinutes} minutes; it keeps running in the cluster`,
    );
    return 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error: Error) => {
      console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error.message);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
