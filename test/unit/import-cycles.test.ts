/**
 * No import circle anywhere in the tree: modules that import each other (even for types only) cannot be read,
 * tested or moved one at a time, and at run time one of them sees the other half-loaded. The graph is every
 * relative import, export-from and require of every TypeScript file, read with the compiler's own pre-processor
 * (no type checking: about 0.2 s for the tree).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
/** As eslint.config.mjs ignores them: installed packages and what tools generate. */
const SKIPPED = new Set(["node_modules", ".toolchain", "toolchain", "out", "bin", ".git"]);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [file] : [];
  });
}

/** The file a relative specifier names, as Node and the compiler resolve it here. */
function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, "index.ts")].find((file) => fs.existsSync(file));
}

function importGraph(files: string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
      const targets = importedFiles.flatMap(({ fileName }) => (fileName.startsWith(".") ? (resolve(file, fileName) ?? []) : []));
      return [file, [...new Set(targets)]];
    }),
  );
}

/** Strongly connected components of more than one file, or of a file importing itself (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component = stack.splice(stack.indexOf(file));
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(component);
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

/** One way round a circle: from its first file, by imports inside it, back to that file. */
function wayRound(component: string[], graph: Map<string, string[]>): string[] {
  const [start] = [...component].sort();
  const inside = new Set(component);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const next of graph.get(file)!.filter((f) => inside.has(f))) {
      if (next === start) {
        const way = [file];
        while (way[0] !== start) way.unshift(cameFrom.get(way[0])!);
        return [...way, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return component;
}

test("no two modules of the tree import each other, directly or through others", () => {
  const graph = importGraph(sourceFiles(ROOT));
  const relative = (file: string) => path.relative(ROOT, file);
  const found = circles(graph).map((component) => {
    const files = component.map(relative).sort().join(", ");
    return `${wayRound(component, graph).map(relative).join(" -> ")} (the circle's files: ${files})`;
  });
  expect(found).toEqual([]);
});
