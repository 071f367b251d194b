/** The component tree of a mock run, as a reader (or a pull-request diff) wants to see it. */
import { RecordedResource, StackRun } from "../../mock-engine";

export interface TreeNode {
  readonly resource: RecordedResource;
  readonly children: TreeNode[];
}

export function buildTree(run: StackRun): TreeNode[] {
  const nodes = new Map(run.resources.map((r) => [r.urn, { resource: r, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.resource.parent ? nodes.get(node.resource.parent) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

export function countDescendants(node: TreeNode): number {
  return node.children.reduce((sum, child) => sum + 1 + countDescendants(child), 0);
}

/** Short type for display: `kubernetes:core/v1:Namespace` → `Namespace`, `aws:eks/cluster:Cluster` → `eks.Cluster`. */
export function shortType(type: string): string {
  const [pkg, module = "", name = ""] = type.split(":");
  if (pkg === "kubernetes") return name;
  if (pkg === "aws") return `${module.split("/")[0]}.${name}`;
  if (pkg === "pulumi") return type;
  return name || type;
}

/** Components indented by depth; their plain resources summarised as counts per type. */
export function formatTree(roots: TreeNode[]): string {
  const lines: string[] = [];
  const visit = (node: TreeNode, depth: number) => {
    const components = node.children.filter((c) => !c.resource.custom);
    const counts = new Map<string, number>();
    for (const child of node.children.filter((c) => c.resource.custom)) {
      const type = shortType(child.resource.type);
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    const summary = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => (n > 1 ? `${n} ${t}` : t));
    const label = node.resource.custom ? shortType(node.resource.type) : node.resource.type;
    lines.push(
      `${"  ".repeat(depth)}${label} ${node.resource.name} (${countDescendants(node)})${summary.length ? `: ${summary.join(", ")}` : ""}`,
    );
    for (const child of components) visit(child, depth + 1);
  };
  for (const root of sortByName(roots)) visit(root, 0);
  return lines.join("\n");
}

function sortByName(nodes: TreeNode[]): TreeNode[] {
  return [...nodes].sort((a, b) => a.resource.type.localeCompare(b.resource.type) || a.resource.name.localeCompare(b.resource.name));
}
