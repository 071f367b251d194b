/**
 * Command lines, read one way by every command: `--name value` or `--name=value`, flags without a value, and
 * positional arguments. Each mistake is refused with what was given, what is expected and the command's usage,
 * before the command does anything.
 */
import * as fs from "fs";
import { UsageError } from "./command";

export interface OptionSpec {
  /** The value's placeholder (`<dir>`); an option without one is a flag. */
  readonly value?: string;
  /** May be given more than once (each value kept, in order). */
  readonly repeatable?: boolean;
  /** Other spellings of the same option (`-y` for `--yes`). */
  readonly aliases?: readonly string[];
}

export interface CommandLine {
  readonly positionals: readonly string[];
  has(option: string): boolean;
  value(option: string): string | undefined;
  values(option: string): string[];
}

/** `name = "value"`: how every refusal names what it was given. */
export function given(name: string, value: string): string {
  return `${name} = ${JSON.stringify(value)}`;
}

export function parseCommandLine(argv: readonly string[], options: Record<string, OptionSpec>, usage: string): CommandLine {
  const byName = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) for (const spelling of [name, ...(spec.aliases ?? [])]) byName.set(spelling, name);
  const positionals: string[] = [];
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const [spelling, attached] =
      arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg];
    const name = byName.get(spelling);
    if (name === undefined) {
      const known = Object.keys(options);
      throw new UsageError(
        `unknown option ${spelling}: ${known.length > 0 ? `expected ${known.join(", ")}` : "this command takes no options"}`,
        usage,
      );
    }
    const spec = options[name];
    let value = "";
    if (spec.value !== undefined) {
      const next = attached ?? argv[++i];
      if (next === undefined || (attached === undefined && next.startsWith("--")))
        throw new UsageError(`${name} needs a value: ${name} ${spec.value}`, usage);
      value = next;
    } else if (attached !== undefined) {
      throw new UsageError(`${given(name, attached)}: ${name} is a flag and takes no value`, usage);
    }
    if (values.has(name) && !spec.repeatable) throw new UsageError(`${name} is given twice: expected it once`, usage);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return {
    positionals,
    has: (option) => values.has(option),
    value: (option) => values.get(option)?.[0],
    values: (option) => values.get(option) ?? [],
  };
}

/** The subcommand the command line starts with (`save`, `apply`), and the arguments after it. */
export function subcommand<T>(argv: readonly string[], commands: Record<string, T>, usage: string): [T, string[]] {
  const [name, ...rest] = argv;
  if (name !== undefined && Object.hasOwn(commands, name)) return [commands[name], rest];
  const expected = `expected one of ${Object.keys(commands).join(", ")}`;
  throw new UsageError(name === undefined ? `missing <command>: ${expected}` : `${given("<command>", name)}: ${expected}`, usage);
}

/** Exactly these positional arguments (`<stack>`, `<minor>`), in order. */
export function expectPositionals(line: CommandLine, names: readonly string[], usage: string): string[] {
  const [missing] = names.slice(line.positionals.length);
  if (missing !== undefined) throw new UsageError(`missing ${missing}`, usage);
  const extra = line.positionals.slice(names.length);
  if (extra.length > 0) {
    const expected = names.length > 0 ? `expected only ${names.join(" ")}` : "this command takes no arguments";
    throw new UsageError(
      `unexpected argument${extra.length > 1 ? "s" : ""} ${extra.map((a) => JSON.stringify(a)).join(" ")}: ${expected}`,
      usage,
    );
  }
  return [...line.positionals];
}

/** A whole number within bounds, as an option or a setting gives it. */
export function wholeNumber(name: string, value: string, usage: string, bounds: { min: number; max?: number; what?: string }): number {
  const number = /^[0-9]+$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isSafeInteger(number) && number >= bounds.min && (bounds.max === undefined || number <= bounds.max)) return number;
  const range = bounds.max === undefined ? `of at least ${bounds.min}` : `from ${bounds.min} to ${bounds.max}`;
  throw new UsageError(`${given(name, value)}: expected ${bounds.what ? `${bounds.what}, ` : ""}a whole number ${range}`, usage);
}

/** One of a few values. */
export function oneOf<T extends string>(name: string, value: string, choices: readonly T[], usage: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${given(name, value)}: expected one of ${choices.join(", ")}`, usage);
}

/** A file the command reads: it must exist and be a file. */
export function existingFile(name: string, file: string, usage: string, what = "a file"): string {
  if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
  throw new UsageError(
    `${given(name, file)}: expected ${what}, and ${fs.existsSync(file) ? "it is not a file" : "there is no such file"}`,
    usage,
  );
}

/** A directory the command reads: it must exist and be a directory. */
export function existingDirectory(name: string, dir: string, usage: string, what = "a directory"): string {
  if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) return dir;
  throw new UsageError(
    `${given(name, dir)}: expected ${what}, and ${fs.existsSync(dir) ? "it is not a directory" : "there is no such directory"}`,
    usage,
  );
}

/** A file of JSON the command reads, parsed. */
export function jsonFile(name: string, file: string, usage: string, what: string): unknown {
  existingFile(name, file, usage, what);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    throw new UsageError(`${given(name, file)}: expected ${what}, and it is not JSON`, usage);
  }
}
