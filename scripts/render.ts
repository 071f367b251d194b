/**
 * `npm run render -- <stack> [--out <dir>]`: runs a stack's program under the mock engine (no credentials,
 * no CLI, no network), prints its component tree, and writes its Kubernetes manifests, Helm release specs
 * and a Mermaid diagram. Secret config comes from test/fixtures/secrets.yaml and is redacted in the output.
 */
import * as fs from "fs";
import * as path from "path";
import { runStack } from "../mock-engine";
import { PROJECT_DIR } from "../config/committed-stacks";
import { helmReleases, manifestsByNamespace } from "./render/manifests";
import { mermaidDiagram } from "./render/mermaid";
import { buildTree, formatTree } from "./render/tree";

async function main(argv: string[]): Promise<void> {
  const [stack, ...rest] = argv;
  if (!stack || stack.startsWith("-")) throw new Error("usage: npm run render -- <stack> [--out <dir>]");
  const outIndex = rest.indexOf("--out");
  const outDir = path.resolve(outIndex >= 0 ? rest[outIndex + 1] : path.join(PROJECT_DIR, "out", stack));

  const run = await runStack(stack);
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

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
