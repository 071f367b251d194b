/** A Mermaid flowchart of an environment: its components, how they nest and how many resources each holds. */
import { countDescendants, TreeNode } from "./tree";

/** Beyond this many siblings of one type (teams, typically), they are drawn as one node. */
const COLLAPSE_AT = 6;

export function mermaidDiagram(stack: string, roots: TreeNode[]): string {
  const lines = ["flowchart LR", `  env(["${stack}"])`];
  let next = 0;
  const draw = (nodes: TreeNode[], parentId: string) => {
    const components = nodes.filter((n) => !n.resource.custom);
    const byType = new Map<string, TreeNode[]>();
    for (const node of components) byType.set(node.resource.type, [...(byType.get(node.resource.type) ?? []), node]);
    for (const [type, group] of byType) {
      const kind = type.split(":").pop();
      if (group.length >= COLLAPSE_AT) {
        const id = `n${next++}`;
        const total = group.reduce((sum, n) => sum + 1 + countDescendants(n), 0);
        lines.push(`  ${id}["${group.length} × ${kind}<br/>${total} resources"]`, `  ${parentId} --> ${id}`);
        continue;
      }
      for (const node of group) {
        const id = `n${next++}`;
        lines.push(`  ${id}["${kind}: ${node.resource.name}<br/>${countDescendants(node)} resources"]`, `  ${parentId} --> ${id}`);
        draw(node.children, id);
      }
    }
  };
  draw(roots, "env");
  return lines.join("\n");
}
