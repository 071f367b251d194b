/**
 * Cron expressions as Velero reads a Schedule (robfig/cron's standard parser): five fields, or one of the
 * predefined schedules. Velero accepts a Schedule with a field out of range and then never runs it (the
 * Schedule sits in phase FailedValidation), so the range of every field is checked here, before deploy.
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names robfig/cron accepts in place of numbers (case-insensitive). */
  readonly names?: readonly string[];
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  // robfig/cron: 0-6, Sunday is 0 (7 is out of range).
  { name: "day of week", min: 0, max: 6, names: DAYS },
];

/** robfig/cron's predefined schedules. */
export const CRON_DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

/** Why `expression` is not a schedule Velero runs, as an "expected …" text; undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (text.startsWith("@")) {
    return CRON_DESCRIPTORS.includes(text)
      ? undefined
      : `one of the predefined schedules ${CRON_DESCRIPTORS.join(", ")}, or five fields such as '0 * * * *'`;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    return `a five-field cron expression such as '0 * * * *' (minute hour day-of-month month day-of-week), not ${parts.length} fields`;
  for (const [i, part] of parts.entries()) {
    const problem = fieldProblem(part, FIELDS[i]);
    if (problem) return `a valid ${FIELDS[i].name} field (${problem})`;
  }
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  for (const item of text.split(",")) {
    const [range, step, ...rest] = item.split("/");
    if (rest.length > 0) return `"${item}" has more than one '/'`;
    if (step !== undefined && !/^[0-9]+$/.test(step)) return `the step of "${item}" is not a number`;
    if (step !== undefined && Number(step) === 0) return `the step of "${item}" is 0`;
    if (range === "*" || range === "?") continue;
    const [from, to, ...more] = range.split("-");
    if (more.length > 0 || from === "" || to === "") return `"${item}" is not a number, a range a-b or *`;
    const low = valueOf(from, field);
    const high = to === undefined ? low : valueOf(to, field);
    if (low === undefined || high === undefined) {
      return `"${item}" is outside ${field.min}-${field.max}${field.names ? ` (or ${field.names[0]}-${field.names[field.names.length - 1]})` : ""}`;
    }
    if (low > high) return `the range "${item}" runs backwards`;
  }
  return undefined;
}

function valueOf(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
}
