/**
 * `npm run render -- <stack> [--out <dir>]`: runs a stack's program under the mock engine (no credentials,
 * no CLI, no network), prints its component tree, and writes its Kubernetes manifests, Helm release specs
 * and a Mermaid diagram. Secret config comes from mock-engine/secrets.yaml and is redacted in the output. A tenancy
 * shard is rendered with the outputs of its environment's stack, rendered first.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../config/committed-stacks";
import { parseShardStack } from "../config/tenancy-shards";
import { runStack } from "../mock-engine";
import { expectPositionals, given, parseCommandLine } from "./lib/args";
import { runCommand, UsageError } from "./lib/command";
import { CHART_MIRROR_ENV } from "../lib/chart-mirror";
import { chartMirrorSetting } from "./lib/settings";
import { requireStack } from "./lib/stacks";
import { helmReleases, manifestsByNamespace } from "./render/manifests";
import { mermaidDiagram } from "./render/mermaid";
import { buildTree, formatTree } from "./render/tree";

const USAGE = "usage: npm run render -- <stack> [--out <dir>]";
/** What a render writes: an existing --out directory is replaced only if it holds a render already. */
const WRITTEN = ["manifests", "helm-releases.yaml", "diagram.mmd", "outputs.json"];

/** The output directory: new, or an earlier render's, never a directory of other files (it is emptied first). */
function outputDirectory(option: string | undefined, stack: string): string {
  const dir = path.resolve(option ?? path.join(PROJECT_DIR, "out", stack));
  if (!fs.existsSync(dir)) return dir;
  const entries = fs.statSync(dir).isDirectory() ? fs.readdirSync(dir) : undefined;
  if (entries && (entries.length === 0 || entries.includes("diagram.mmd"))) return dir;
  throw new UsageError(
    `${given("--out", option ?? dir)}: expected a new directory or an earlier render's (${WRITTEN.join(", ")}), which it replaces; ` +
      `${entries ? `it holds other files (${entries.slice(0, 5).join(", ")})` : "it is a file"}`,
    USAGE,
  );
}

async function main(argv: string[]): Promise<void> {
  const line = parseCommandLine(argv, { "--out": { value: "<dir>" } }, USAGE);
  const [stack] = expectPositionals(line, ["<stack>"], USAGE);
  requireStack(stack, { environments: "all", shards: true }, USAGE);
  const outDir = outputDirectory(line.value("--out"), stack);
  chartMirrorSetting(process.env[CHART_MIRROR_ENV], USAGE);

  const shard = parseShardStack(stack);
  const stackOutputs = shard && { [shard.environment]: (await runStack(shard.environment)).outputs };
  const run = await runStack(stack, stackOutputs ? { stackOutputs } : {});
  const tree = buildTree(run);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, "manifests"), { recursive: true });
  for (const [namespace, yaml] of manifestsByNamespace(run)) {
    fs.writeFileSync(path.join(outDir, "manifests", `${namespace}.yaml`), yaml);
  }
  fs.writeFileSync(path.join(outDir, "helm-releases.yaml"), helmReleases(run));
  fs.writeFileSync(path.join(outDir, "diagram.mmd"), `${mermaidDiagram(stack, tree)}\n`);
  fs.writeFileSync(path.join(outDir, "outputs.json"), `${JSON.stringify(run.outputs, null, 2)}\n`);

  console.log(
    `${stack}: ${run.resources.length} resources\n${formatTree(tree)}\n\nwritten to ${path.relative(process.cwd(), outDir) || "."}/`,
  );
}

runCommand(() => main(process.argv.slice(2)));
