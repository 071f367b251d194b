/**
 * A tenancy shard is `<environment>-tenancy-<n>` of an environment this program deploys (config/tenancy-shards.ts):
 * any other name, a shard of an environment that does not exist included, stops the program before it registers
 * anything, naming the stacks it deploys. What a shard's file may hold is tested in tenancy-shards.test.ts, and the
 * same file refused by move-teams before it moves any state in refusals-state-commands.test.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { runStack } from "../../mock-engine";

test.each(["qa-tenancy-1", "prod-tenancy-0", "prod-tenancy-100", "prod-tenancy-01", "tenancy-1"])("%s", async (stack) => {
  const teams = [{ name: "gamma", owner: "gamma@example.com", costCentre: "cc-9900", groups: { developers: ["team-gamma"] } }];
  const error = await runStack(stack, { configure: (c) => (c["platform:teams"] = teams) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(pulumi.RunError);
  expect(error).toHaveProperty("resourcesRegistered", 0);
  expect((error as Error).message).toBe(
    `Unknown stack "${stack}": this program deploys the stacks e2e, stage, prod, admin, local, and their tenancy shards ` +
      "<stack>-tenancy-1, -2, … Select one with `pulumi stack select <name>` (each has its Pulumi.<name>.yaml).",
  );
});
