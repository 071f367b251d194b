/**
 * The committed stack files, read as they are in this checkout: what a rule about another environment (which minor
 * it runs, which spokes the hub lists), the delivery scripts and the bootstrap take from them.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export const PROJECT_DIR = path.resolve(__dirname, "..");

/** The `config:` map of `Pulumi.<stack>.yaml`; undefined when this checkout has no such file. */
export function committedStackConfig(stack: string, projectDir = PROJECT_DIR): Record<string, any> | undefined {
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  return parse(fs.readFileSync(file, "utf8"))?.config ?? {};
}
