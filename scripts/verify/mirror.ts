/** The chart mirror verification uses when none is given: the offline Helm repository beside the project. */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../config/committed-stacks";

export const DEFAULT_MIRROR_DIR = path.resolve(PROJECT_DIR, "..", "shared", "charts");

/** `name → versions` of a classic Helm repository's `index.yaml`. */
export function indexedVersions(mirrorDir: string = DEFAULT_MIRROR_DIR): Map<string, string[]> {
  const index = parse(fs.readFileSync(path.join(mirrorDir, "index.yaml"), "utf8")) as { entries: Record<string, { version: string }[]> };
  return new Map(Object.entries(index.entries).map(([name, versions]) => [name, versions.map((v) => v.version)]));
}
