import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS } from "../../config/sections/environment";
import { inventory } from "../../scripts/render/inventory";
import { INVENTORY_DIR } from "../../scripts/inventory";
import { runStack } from "../../mock-engine";

test.each(ENVIRONMENTS)("the committed inventory of %s matches the program (run `npm run inventory` after a change)", async (stack) => {
  const committed = fs.readFileSync(path.join(INVENTORY_DIR, `${stack}.txt`), "utf8");
  expect(inventory(await runStack(stack))).toEqual(committed);
});
