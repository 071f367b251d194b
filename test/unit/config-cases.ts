/** The one-mistake case tables of the config tests, and the parts of a stack's config their edits reach into. */
import { violationsOf } from "../config-errors";
import { StackConfig } from "../../mock-engine";

export type Case = [what: string, stack: string, edit: (c: StackConfig) => void, line: RegExp];

/** Each case is one mistake: exactly one message, matching `line`. */
export function testCases(cases: Case[]) {
  test.each(cases)("%s", async (_what, stack, edit, line) => {
    const lines = await violationsOf(stack, edit);
    expect(lines).toEqual([expect.stringMatching(line)]);
  });
}

export const pool = (c: StackConfig, i = 0) => c["platform:cluster"].nodePools[i];
export const tenancy = (c: StackConfig) => c["platform:tenancy"];
export const admin = (c: StackConfig) => c["platform:admin"];
