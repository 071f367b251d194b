/**
 * A tenancy shard's file, held to what the program holds it to (config/load.ts, loadShardConfig) before a command
 * acts on it: its environment exists, it sets its teams only, no team of it is in another stack of the environment,
 * no more teams than a stack may hold.
 */
import { committedStackConfig, PROJECT_DIR } from "../../config/committed-stacks";
import { ConfigError, loadShardConfig } from "../../config/load";
import { parseShardStack } from "../../config/tenancy-shards";
import { UsageError } from "./command";

/** Refuses a shard whose committed file the program would refuse; other stacks pass. */
export function checkShardFile(stack: string, usage: string, projectDir = PROJECT_DIR): void {
  if (!parseShardStack(stack)) return;
  const config = committedStackConfig(stack, projectDir);
  if (!config) throw new UsageError(`this checkout has no Pulumi.${stack}.yaml`, usage);
  // As the engine hands config to a program: every value a string, objects as JSON, `secure:` values secret.
  const raw = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
  const secret = (key: string) => typeof config[key] === "object" && config[key] !== null && "secure" in config[key];
  try {
    loadShardConfig(stack, raw, secret);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, usage);
    throw error;
  }
}
