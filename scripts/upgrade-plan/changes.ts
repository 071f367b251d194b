/** What an upgrade changes in a stack: the resources whose inputs differ between its program at two minors. */
import { StackRun } from "../../mock-engine";

export interface Change {
  readonly type: string;
  readonly name: string;
  /** `path: before → after` for each input that differs, down to the values that do (long ones abbreviated). */
  readonly inputs: string[];
}

const short = (value: unknown): string => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? "(none)" : text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function differences(before: unknown, after: unknown, at: string): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (!isObject(before) || !isObject(after)) return [`${at}: ${short(before)} → ${short(after)}`];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].flatMap((key) => differences(before[key], after[key], at ? `${at}.${key}` : key));
}

/** Changed resources of `after` against `before`, by URN; upgrades add and remove nothing, which this also shows. */
export function changesBetween(before: StackRun, after: StackRun): { changed: Change[]; added: string[]; removed: string[] } {
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  const now = new Map(after.resources.map((r) => [r.urn, r]));
  const changed = after.resources
    .filter((r) => old.has(r.urn))
    .map((r) => ({ type: r.type, name: r.name, inputs: differences(old.get(r.urn)!.inputs, r.inputs, "") }))
    .filter((c) => c.inputs.length > 0);
  return {
    changed,
    added: after.resources.filter((r) => !old.has(r.urn)).map((r) => `${r.type} ${r.name}`),
    removed: before.resources.filter((r) => !now.has(r.urn)).map((r) => `${r.type} ${r.name}`),
  };
}
