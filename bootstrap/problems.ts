/** A bootstrap stack's configuration problems, reported together, each naming its file, key, value and what is expected. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { showValue } from "../config/key-paths";

export interface Problem {
  readonly file: string;
  readonly key: string;
  readonly value: unknown;
  readonly expected: string;
}

export class BootstrapConfigError extends pulumi.RunError {
  constructor(stack: string, problems: readonly Problem[]) {
    super(
      [`Invalid configuration for bootstrap stack "${stack}"; nothing was deployed:`]
        .concat(
          problems.map(
            (p) => `  ${p.file}: ${p.key} = ${showValue(p.value)}: ${p.expected.startsWith("expected") ? "" : "expected "}${p.expected}`,
          ),
        )
        .join("\n"),
    );
    this.name = "BootstrapConfigError";
  }
}

/** One problem per key: a value that fails its format also fails the checks behind it. */
export function firstPerPath(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = issue.path.join(".");
    return !seen.has(key) && !!seen.add(key);
  });
}

export function valueOf(root: unknown, keys: readonly PropertyKey[]): unknown {
  return keys.reduce<unknown>(
    (node, key) => (node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    root,
  );
}
