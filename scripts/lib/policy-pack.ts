/** The policy pack every preview and update of a stack runs with, as the workflows pass it. */
import * as fs from "fs";
import * as path from "path";
import { policyConfigFile } from "../../config/tenancy-shards";
import { Refused } from "./command";

/** `--policy-pack policy` and this environment's settings of it (a shard's: its environment's), which must exist. */
export function policyArgs(stack: string, projectDir: string): string[] {
  const config = policyConfigFile(stack);
  if (!fs.existsSync(path.join(projectDir, config)))
    throw new Refused(`${config} does not exist in ${projectDir}: every stack is deployed with the policy pack and its settings`);
  return ["--policy-pack", "policy", "--policy-pack-config", config];
}
