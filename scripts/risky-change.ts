/**
 * `npm run --silent risky-change -- <preview.json>`: whether an update needs a backup first, read from
 * `pulumi preview --json`: it changes the EKS cluster's Kubernetes version (one-way: EKS versions do not go back),
 * or it replaces or deletes a protected or retained resource (stateful: volumes, buckets, Elasticsearch). Prints
 * the reasons, one per line, and exits 0 when a backup is due, 1 when not (the deploy workflow branches on it).
 */
import * as fs from "fs";

interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly oldState?: { type?: string; protect?: boolean; retainOnDelete?: boolean; inputs?: Record<string, unknown> };
  readonly newState?: { type?: string; inputs?: Record<string, unknown> };
  readonly diffReasons?: string[];
}

const REPLACING = ["replace", "create-replacement", "delete-replaced", "delete"];
const EKS_CLUSTER = "aws:eks/cluster:Cluster";

export function backupReasons(preview: { steps?: PreviewStep[] }): string[] {
  return (preview.steps ?? []).flatMap((step) => {
    const type = step.newState?.type ?? step.oldState?.type;
    const name = step.urn.split("::").pop();
    if (type === EKS_CLUSTER && step.op === "update" && step.oldState?.inputs?.version !== step.newState?.inputs?.version) {
      return [`EKS cluster ${name}: Kubernetes ${step.oldState?.inputs?.version} → ${step.newState?.inputs?.version}`];
    }
    const stateful = step.oldState?.protect || step.oldState?.retainOnDelete;
    return REPLACING.includes(step.op) && stateful ? [`${step.op} of stateful ${type} ${name}`] : [];
  });
}

if (require.main === module) {
  const [file] = process.argv.slice(2);
  if (!file) {
    console.error("usage: npm run --silent risky-change -- <output of pulumi preview --json>");
    process.exit(2);
  }
  const reasons = backupReasons(JSON.parse(fs.readFileSync(file, "utf8")));
  for (const reason of reasons) console.log(reason);
  process.exit(reasons.length > 0 ? 0 : 1);
}
