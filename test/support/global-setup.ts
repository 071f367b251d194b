/**
 * Evaluates every stack once per test run and caches the result, so that the many test files that read the
 * same default run of a stack do not each evaluate it again. Runs with edited config are never cached.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ENVIRONMENTS } from "../../config/sections/environment";
import { CACHED_RUNS_ENV, runStack, serializeRun } from "../../mock-engine";

export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-runs-"));
  for (const stack of ENVIRONMENTS) {
    fs.writeFileSync(path.join(dir, `${stack}.json`), serializeRun(await runStack(stack)));
  }
  process.env[CACHED_RUNS_ENV] = dir;
}
