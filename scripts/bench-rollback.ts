/**
 * `npm run bench:rollback`: how long `npm run rollback` takes to undo one added team on the `local` stack, on
 * the real engine (the throwaway control plane and file backend of the real-engine suite, test/e2e/support).
 * A benchmark to read, not a timed test. Each round re-adds the team with `pulumi up` and times the rollback
 * from the command's start to its exit, as an operator waits for it, next to that `pulumi up` (the engine's own
 * time for the same change); a last round (unless BENCH_NPM_CI=0) changes HEAD's lockfile so that the rollback
 * runs `npm ci` instead of linking node_modules, for comparison. BENCH_ROUNDS (3). Needs scripts/toolchain.sh.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Sandbox, STACK } from "../test/e2e/support/sandbox";
import { findToolchain } from "../test/e2e/support/toolchain";
import { expectPositionals, oneOf, parseCommandLine, wholeNumber } from "./lib/args";
import { Refused, runCommand } from "./lib/command";

const USAGE = "usage: [BENCH_ROUNDS=<n>] [BENCH_NPM_CI=0] [BENCH_KEEP=1] npm run bench:rollback   (no arguments)";
const TEAM = "gamma";

interface Row {
  round: string;
  dependencies: string;
  /** `pulumi up` that added the team back just before: the engine's own time for the same change. */
  addSeconds: number;
  wallSeconds: number;
  /** The tool's own account: preparation and preview, update. */
  split: string;
  /** User + system CPU of the rollback and everything it ran (GNU time), a figure less bent by a busy machine. */
  cpuSeconds?: number;
}

const GNU_TIME = "/usr/bin/time";

async function timedRollback(sandbox: Sandbox, round: string, addSeconds: number): Promise<Row> {
  const rollback = ["npm", "run", "--silent", "rollback", "--", STACK, "--to", "1", "--yes"];
  const timed = fs.existsSync(GNU_TIME);
  const [file, ...args] = timed ? [GNU_TIME, "-f", "cpu %U %S", ...rollback] : rollback;
  const result = await sandbox.commands.run(file, args, { cwd: sandbox.projectDir, env: sandbox.env });
  const split = /in ([^(]+) \(preparation and preview ([^,]+), update ([^)]+)\)/.exec(result.stdout);
  const dependencies = /^Dependencies: (linked|installed with npm ci)/m.exec(result.stdout);
  const cpu = /^cpu ([0-9.]+) ([0-9.]+)$/m.exec(result.stderr);
  return {
    round,
    dependencies: dependencies?.[1] ?? "?",
    addSeconds,
    wallSeconds: result.seconds,
    split: split ? `${split[1]} = ${split[2]} + ${split[3]}` : "?",
    cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined,
  };
}

async function main(argv: string[]): Promise<void> {
  expectPositionals(parseCommandLine(argv, {}, USAGE), [], USAGE);
  const rounds = wholeNumber("BENCH_ROUNDS", process.env.BENCH_ROUNDS ?? "3", USAGE, { min: 1 });
  const npmCiRound = oneOf("BENCH_NPM_CI", process.env.BENCH_NPM_CI ?? "1", ["0", "1"], USAGE) === "1";
  const keep = oneOf("BENCH_KEEP", process.env.BENCH_KEEP ?? "0", ["0", "1"], USAGE) === "1";
  const toolchain = findToolchain();
  if (!toolchain.ok)
    throw new Refused(`the toolchain is incomplete: ${toolchain.missing.join("; ")}; build it with \`bash scripts/toolchain.sh\``);
  const sandbox = new Sandbox(toolchain.env);
  const rows: Row[] = [];
  try {
    await sandbox.startControlPlane();
    sandbox.copyProject();
    await sandbox.pulumi(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:cluster", "kubeconfig"], sandbox.kubeconfig));
    sandbox.commit("point local at the test control plane");
    await sandbox.pulumi(["up", "--yes", "--message", "version 1"]);
    sandbox.editStackConfig((doc) =>
      doc.addIn(
        ["config", "platform:teams"],
        doc.createNode({ name: TEAM, owner: `${TEAM}-lead@example.com`, costCentre: "cc-2300", groups: { developers: [`team-${TEAM}`] } }),
      ),
    );
    sandbox.commit(`add team ${TEAM}`);
    for (let round = 1; round <= rounds; round++) {
      const added = await sandbox.pulumi(["up", "--yes", "--message", `add team ${TEAM} (round ${round})`]);
      rows.push(await timedRollback(sandbox, String(round), added.seconds));
    }
    if (npmCiRound) {
      fs.appendFileSync(path.join(sandbox.projectDir, "package-lock.json"), "\n");
      sandbox.commit("a lockfile that differs from version 1's");
      const added = await sandbox.pulumi(["up", "--yes", "--message", `add team ${TEAM} (npm ci round)`]);
      rows.push(await timedRollback(sandbox, "lockfile changed", added.seconds));
    }
  } finally {
    await sandbox.cleanUp(keep);
  }
  const header = [
    "round",
    "dependencies",
    "pulumi up adding the team, s",
    "rollback wall s",
    "rollback CPU s",
    "tool's account: total = preparation and preview + update",
  ];
  const body = rows.map((row) => [
    row.round,
    row.dependencies,
    row.addSeconds.toFixed(1),
    row.wallSeconds.toFixed(1),
    row.cpuSeconds?.toFixed(1) ?? "-",
    row.split,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(
    `Rolling back one team on the ${STACK} stack (real engine, file backend), ${new Date().toISOString().slice(0, 16)}Z, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}:`,
  );
  console.log([format(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(format)].join("\n"));
}

runCommand(() => main(process.argv.slice(2)));
