/**
 * `delivery -- aws <stack> deploy|preview`: the role the workflow assumes for the stack, and its region, as
 * `$GITHUB_OUTPUT` lines, read from the committed file of the stack's environment (a shard deploys as its
 * environment), so that no role or region is configured twice.
 */
import { committedStackConfig } from "../../config/committed-stacks";
import { environmentOf } from "../../config/tenancy-shards";
import { expectPositionals, oneOf, parseCommandLine } from "../lib/args";
import { Refused } from "../lib/command";
import { requireStack } from "../lib/stacks";

export const AWS_USAGE = "usage: npm run --silent delivery -- aws <stack> deploy|preview";

export function awsCommand(argv: readonly string[]): void {
  const [stack, purpose] = expectPositionals(parseCommandLine(argv, {}, AWS_USAGE), ["<stack>", "deploy|preview"], AWS_USAGE);
  requireStack(stack, { environments: "aws", shards: true }, AWS_USAGE);
  console.log(awsOf(stack, oneOf("<purpose>", purpose, ["deploy", "preview"], AWS_USAGE)).join("\n"));
}

/** `role=<arn>` and `region=<region>` of the stack's environment, for a deploy or a preview. */
export function awsOf(stack: string, purpose: "deploy" | "preview"): string[] {
  const environment = environmentOf(stack);
  const aws = committedStackConfig(environment)?.["platform:aws"];
  if (!aws) throw new Refused(`Pulumi.${environment}.yaml has no platform:aws section: ${stack} is not on an AWS environment`);
  return [`role=${purpose === "deploy" ? aws.deployRoleArn : aws.previewRoleArn}`, `region=${aws.region}`];
}
