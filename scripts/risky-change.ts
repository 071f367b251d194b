/**
 * `npm run --silent risky-change -- <preview.json>`: whether an update needs a backup first, read from
 * `pulumi preview --json`: it changes the EKS cluster's Kubernetes version (one-way: EKS versions do not go back),
 * or it replaces or deletes a protected or retained resource (stateful: volumes, buckets, Elasticsearch). Prints
 * the reasons, one per line, and exits 3 when a backup is due, 0 when none is (the deploy workflow branches on it):
 * a failure (1) or a refusal (2) can never be read as either answer.
 */
import { expectPositionals, given, jsonFile, parseCommandLine } from "./lib/args";
import { EXIT, runCommand, UsageError } from "./lib/command";
import { PreviewJson } from "./lib/preview-json";

const USAGE = "usage: npm run --silent risky-change -- <output of pulumi preview --json>";
const REPLACING = ["replace", "create-replacement", "delete-replaced", "delete"];
const EKS_CLUSTER = "aws:eks/cluster:Cluster";

export function backupReasons(preview: PreviewJson): string[] {
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

async function main(argv: string[]): Promise<number> {
  const [file] = expectPositionals(parseCommandLine(argv, {}, USAGE), ["<preview.json>"], USAGE);
  const preview = jsonFile("<preview.json>", file, USAGE, "the output of `pulumi preview --json`") as PreviewJson;
  const steps = preview?.steps;
  const isPreview =
    typeof preview === "object" &&
    preview !== null &&
    !Array.isArray(preview) &&
    (steps === undefined || (Array.isArray(steps) && steps.every((step) => typeof step?.urn === "string" && typeof step.op === "string")));
  if (!isPreview)
    throw new UsageError(
      `${given("<preview.json>", file)}: expected the output of \`pulumi preview --json\`, whose steps each have an op and a urn`,
      USAGE,
    );
  const reasons = backupReasons(preview);
  for (const reason of reasons) console.log(reason);
  return reasons.length > 0 ? EXIT.found : EXIT.done;
}

if (require.main === module) runCommand(() => main(process.argv.slice(2)));
