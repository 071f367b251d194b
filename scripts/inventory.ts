/** `npm run inventory [-- <stack>...]`: regenerates the committed inventory of each environment (all by default). */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../config/committed-stacks";
import { ENVIRONMENTS } from "../config/sections/environment";
import { runStack } from "../mock-engine";
import { parseCommandLine } from "./lib/args";
import { runCommand } from "./lib/command";
import { CHART_MIRROR_ENV } from "../lib/chart-mirror";
import { chartMirrorSetting } from "./lib/settings";
import { requireStack } from "./lib/stacks";
import { inventory } from "./render/inventory";

export const INVENTORY_DIR = path.join(PROJECT_DIR, "inventory");
const USAGE = "usage: npm run inventory [-- <environment>...]";

async function main(argv: string[]): Promise<void> {
  const { positionals } = parseCommandLine(argv, {}, USAGE);
  const stacks = positionals.length > 0 ? positionals : ENVIRONMENTS;
  for (const stack of stacks) requireStack(stack, { environments: "all", shards: false }, USAGE);
  chartMirrorSetting(process.env[CHART_MIRROR_ENV], USAGE);

  fs.mkdirSync(INVENTORY_DIR, { recursive: true });
  for (const stack of stacks) {
    const run = await runStack(stack);
    fs.writeFileSync(path.join(INVENTORY_DIR, `${stack}.txt`), inventory(run));
    console.log(`inventory/${stack}.txt: ${run.resources.length} resources`);
  }
}

if (require.main === module) runCommand(() => main(process.argv.slice(2)));
