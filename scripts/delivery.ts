/**
 * What the delivery workflows ask of a stack, read from its committed file and its history, so that no role,
 * region or commit is configured twice. Four commands, each in its own file:
 *   npm run --silent delivery -- aws <stack> deploy|preview       scripts/delivery/aws.ts
 *   npm run --silent delivery -- stacks                           scripts/delivery/stacks.ts
 *   npm run --silent delivery -- deployed-commit <stack>          scripts/delivery/history.ts
 *   npm run --silent delivery -- require-deployed <stack> <commit> <for-stack>
 * A tenancy shard (config/tenancy-shards.ts) is deployed as its environment: its roles, region, policy config and
 * GitHub environment. Exit status: 0 done, 2 refused, 1 failed.
 */
import { subcommand } from "./lib/args";
import { runCommand } from "./lib/command";
import { AWS_USAGE, awsCommand } from "./delivery/aws";
import { DEPLOYED_COMMIT_USAGE, deployedCommitCommand, REQUIRE_DEPLOYED_USAGE, requireDeployedCommand } from "./delivery/history";
import { STACKS_USAGE, stacksCommand } from "./delivery/stacks";

const COMMANDS: Record<string, (argv: readonly string[]) => void | Promise<void>> = {
  aws: awsCommand,
  stacks: stacksCommand,
  "deployed-commit": deployedCommitCommand,
  "require-deployed": requireDeployedCommand,
};

const USAGE = `usage: ${[AWS_USAGE, STACKS_USAGE, DEPLOYED_COMMIT_USAGE, REQUIRE_DEPLOYED_USAGE].map((usage) => usage.slice("usage: ".length)).join("\n       ")}`;

runCommand(async () => {
  const [command, argv] = subcommand(process.argv.slice(2), COMMANDS, USAGE);
  await command(argv);
});
