/**
 * `npm run bench:rollback`: how long `npm run rollback` takes to undo one added team on the `local` stack, on
 * the real engine (the throwaway control plane and file backend of the real-engine suite, test/e2e/support).
 * A benchmark to read, not a timed test. Each round re-adds the team with `pulumi up` and times the rollback
 * from the command's start to its exit, as an operator waits for it; a last round changes HEAD's lockfile so
 * that the rollback runs `npm ci` instead of linking node_modules, for comparison. Needs scripts/toolchain.sh.
 */
import * as fs from "fs";
import * as path from "path";
import { Sandbox, STACK } from "../test/e2e/support/sandbox";
import { findToolchain } from "../test/e2e/support/toolchain";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TEAM = "gamma";

interface Row {
  round: string;
  dependencies: string;
  wallSeconds: number;
  /** The tool's own split: preparation and preview, update. */
  split: string;
}

async function timedRollback(sandbox: Sandbox, round: string): Promise<Row> {
  const result = await sandbox.npm(["run", "--silent", "rollback", "--", STACK, "--to", "1", "--yes"]);
  const split = /in \S+ \(preparation and preview (\S+), update (\S+)\)/.exec(result.stdout);
  const dependencies = /^Dependencies: (linked|installed with npm ci)/m.exec(result.stdout);
  return { round, dependencies: dependencies?.[1] ?? "?", wallSeconds: result.seconds, split: split ? `${split[1]} + ${split[2]}` : "?" };
}

async function main(): Promise<void> {
  const toolchain = findToolchain();
  if (!toolchain.ok) throw new Error(`the toolchain is incomplete (run scripts/toolchain.sh): ${toolchain.missing.join("; ")}`);
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
      doc.addIn(["config", "platform:teams"], doc.createNode({ name: TEAM, owner: `${TEAM}-lead@example.com`, costCentre: "cc-2300", groups: { developers: [`team-${TEAM}`] } })),
    );
    sandbox.commit(`add team ${TEAM}`);
    for (let round = 1; round <= ROUNDS; round++) {
      await sandbox.pulumi(["up", "--yes", "--message", `add team ${TEAM} (round ${round})`]);
      rows.push(await timedRollback(sandbox, String(round)));
    }
    const lockfile = path.join(sandbox.projectDir, "package-lock.json");
    fs.appendFileSync(lockfile, "\n");
    sandbox.commit("a lockfile that differs from version 1's");
    await sandbox.pulumi(["up", "--yes", "--message", `add team ${TEAM} (npm ci round)`]);
    rows.push(await timedRollback(sandbox, "lockfile changed"));
  } finally {
    await sandbox.cleanUp(process.env.BENCH_KEEP === "1");
  }
  const header = ["round", "dependencies", "wall s", "tool: preparation+preview + update"];
  const body = rows.map((row) => [row.round, row.dependencies, row.wallSeconds.toFixed(1), row.split]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  console.log(`Rolling back one team on the ${STACK} stack (real engine, file backend), ${new Date().toISOString().slice(0, 10)}:`);
  console.log([format(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(format)].join("\n"));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
