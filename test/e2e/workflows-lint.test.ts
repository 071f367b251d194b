/**
 * The delivery workflows as GitHub would run them: actionlint (built by scripts/toolchain.sh) checks their syntax,
 * expressions, contexts available where they are used, job needs, action inputs, and scripts that interpolate
 * untrusted input. Skipped without the toolchain, except in CI.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { findToolchain, inCi, PROJECT_DIR, TOOLCHAIN_DIR } from "./support/toolchain";

const toolchain = findToolchain();

(toolchain.ok || inCi() ? test : test.skip)("actionlint finds nothing in .github/workflows", () => {
  if (!toolchain.ok) throw new Error(`E2E FAILED: CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")})`);
  const run = spawnSync(path.join(TOOLCHAIN_DIR, "bin/actionlint"), ["-no-color"], { cwd: PROJECT_DIR, encoding: "utf8" });
  // The findings themselves are the failure message.
  expect({ status: run.status, findings: `${run.stdout}${run.stderr}` }).toEqual({ status: 0, findings: "" });
});
