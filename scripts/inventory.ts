/** `npm run inventory [-- <stack>...]`: regenerates the committed inventory of each environment. */
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS } from "../config/sections/environment";
import { runStack } from "../mock-engine";
import { PROJECT_DIR } from "../config/committed-stacks";
import { inventory } from "./render/inventory";

export const INVENTORY_DIR = path.join(PROJECT_DIR, "inventory");

async function main(stacks: string[]): Promise<void> {
  fs.mkdirSync(INVENTORY_DIR, { recursive: true });
  for (const stack of stacks.length > 0 ? stacks : ENVIRONMENTS) {
    const run = await runStack(stack);
    fs.writeFileSync(path.join(INVENTORY_DIR, `${stack}.txt`), inventory(run));
    console.log(`inventory/${stack}.txt: ${run.resources.length} resources`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
