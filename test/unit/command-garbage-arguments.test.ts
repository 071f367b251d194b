/**
 * Every command, given garbage for arguments, refuses as it refuses anything (exit 2, a message, its usage), with no
 * stack trace, and starts nothing (test/command-runs.ts).
 */
import { refusal, runScript } from "../command-runs";

jest.setTimeout(60_000);

const COMMANDS = [
  "render.ts",
  "verify.ts",
  "upgrade-plan.ts",
  "rollback.ts",
  "move-teams.ts",
  "kubeconfig.ts",
  "bench.ts",
  "bench-real.ts",
  "bench-rollback.ts",
  "inventory.ts",
  "backup.ts",
  "risky-change.ts",
  "deploy-plan.ts",
  "delivery.ts",
  "drift.ts",
  "local-up.sh",
  "bootstrap.sh",
];

const GARBAGE = ["%x$(id)`\u00e9\u{1F4A5}", "--=", "-"];

test.each(COMMANDS)("%s", (script) => {
  const refused = refusal(runScript(script, GARBAGE));
  expect(refused).toMatch(/Refused: /);
  expect(refused).toMatch(/usage: /);
});
