/** The common expectations of a configuration error, and a stack's config as the rules see it, for the config tests. */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/load";
import { platformSchema, secretsSchema } from "../config/schema";
import { readStackConfig, runStack, StackConfig } from "../mock-engine";

/**
 * Runs `stack` with `configure` and returns the violation lines of its config error, after checking what every
 * config error must be: a ConfigError the engine prints without a stack trace (a RunError), raised before any
 * resource was registered, headed by the stack's name and file.
 */
export async function violationsOf(stack: string, configure: (c: StackConfig) => void): Promise<string[]> {
  const error = await runStack(stack, { configure }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toBeInstanceOf(pulumi.RunError);
  expect(error).toHaveProperty("resourcesRegistered", 0);
  const [header, ...lines] = (error as Error).message.split("\n");
  expect(header).toBe(`Invalid configuration for stack "${stack}" (Pulumi.${stack}.yaml); nothing was deployed:`);
  return lines;
}

/** A stack's config as the rules see it, after an optional edit of the plain values. */
export function configOf(stack: string, edit: (c: Record<string, any>) => void = () => {}) {
  const plain = Object.fromEntries(
    Object.entries(readStackConfig(stack)).map(([key, value]) => [key.replace(/^platform:/, ""), structuredClone(value)]),
  );
  edit(plain);
  return platformSchema.parse(plain);
}

/** The secrets of a stack that sets none. */
export const NO_SECRETS = secretsSchema.parse({});
