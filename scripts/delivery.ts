/**
 * What the delivery workflows ask of a stack, read from its committed file and its history, so that no role,
 * region or commit is configured twice:
 *   npm run --silent delivery -- aws <stack> deploy|preview      `role=<arn>` and `region=<region>` lines ($GITHUB_OUTPUT)
 *   npm run --silent delivery -- stacks                          job matrices of the AWS stacks and of each
 *                                                                 environment's tenancy shards (scripts/delivery/stacks.ts)
 * A tenancy shard (config/tenancy-shards.ts) is deployed as its environment: its roles, region, policy config and
 * GitHub environment.
 *   npm run --silent delivery -- deployed-commit <stack>           the commit of the stack's newest successful update
 *   npm run --silent delivery -- require-deployed <stack> <commit> <for-stack>   refuse unless <stack> ran <commit>
 * The history is read with the `pulumi` CLI on PATH (without --show-secrets: no decryption needed).
 * Exit status: 0 done, 2 refused, 1 failed.
 */
import { execFile } from "child_process";
import { promisify } from "util";
import { committedStackConfig } from "../config/committed-stacks";
import { environmentOf } from "../config/tenancy-shards";
import { DeliveryRefused, deployedCommit, requireDeployed } from "./delivery/history";
import { stackMatrices } from "./delivery/stacks";
import type { HistoryEntry } from "./rollback/history";

const execFileAsync = promisify(execFile);

async function history(stack: string): Promise<HistoryEntry[]> {
  // `--page-size 0`: every entry (the default is the 10 newest; pkg/backend/diy/state.go, getHistory).
  const { stdout } = await execFileAsync(
    "pulumi",
    ["stack", "history", "--stack", stack, "--json", "--page-size", "0", "--non-interactive"],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as HistoryEntry[];
}

function awsOf(stack: string, purpose: string): string {
  const environment = environmentOf(stack);
  const aws = committedStackConfig(environment)?.["platform:aws"];
  if (!aws) throw new DeliveryRefused(`Pulumi.${environment}.yaml has no platform:aws section: ${stack} is not on an AWS environment`);
  const role = { deploy: aws.deployRoleArn, preview: aws.previewRoleArn }[purpose];
  if (!role) throw new DeliveryRefused(`expected deploy or preview, got ${purpose}`);
  return `role=${role}\nregion=${aws.region}`;
}

async function main([command, stack, ...rest]: string[]): Promise<void> {
  if (command === "aws" && stack && rest.length === 1) console.log(awsOf(stack, rest[0]));
  else if (command === "stacks" && !stack) console.log(stackMatrices().join("\n"));
  else if (command === "deployed-commit" && stack) console.log(deployedCommit(stack, await history(stack)));
  else if (command === "require-deployed" && stack && rest.length === 2) {
    requireDeployed(stack, rest[0], await history(stack), rest[1]);
    console.log(`${stack} has run ${rest[0].slice(0, 12)}.`);
  } else
    throw new DeliveryRefused(
      "usage: npm run --silent delivery -- aws <stack> deploy|preview | stacks | deployed-commit <stack> | require-deployed <stack> <commit> <for-stack>",
    );
}

main(process.argv.slice(2)).catch((error: Error) => {
  const refused = error instanceof DeliveryRefused;
  console.error(refused ? `Refused: ${error.message}` : (error as { stderr?: string }).stderr || error.message);
  process.exit(refused ? 2 : 1);
});
