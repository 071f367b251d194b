/**
 * The rolled-back commit's dependencies. When its package-lock.json is the live checkout's and the live
 * node_modules is exactly what that lockfile installs, the worktree links it instead of running `npm ci`,
 * which is most of a rollback's time when nothing changed in the lockfile.
 */
import * as path from "path";

export interface DependencyFiles {
  /** A file's text, or undefined when it does not exist. */
  read(file: string): string | undefined;
  /** Makes `link` a symbolic link to the directory `target`. */
  linkDirectory(target: string, link: string): void;
  npmCi(dir: string): Promise<void>;
}

/** Installs or links the program's node_modules; says which, and why. */
export async function provideDependencies(liveDir: string, programDir: string, files: DependencyFiles): Promise<string> {
  const liveModules = path.join(liveDir, "node_modules");
  const refused = reuseRefusal(
    files.read(path.join(programDir, "package-lock.json")),
    files.read(path.join(liveDir, "package-lock.json")),
    // npm (7 and later) records what it installed in node_modules/.package-lock.json.
    files.read(path.join(liveModules, ".package-lock.json")),
  );
  if (refused === undefined) {
    files.linkDirectory(liveModules, path.join(programDir, "node_modules"));
    return `linked ${liveModules} (the commit's package-lock.json is this checkout's, and that is what is installed here)`;
  }
  await files.npmCi(programDir);
  return `installed with npm ci (not linked: ${refused})`;
}

type Lockfile = { packages?: Record<string, unknown> };

/** Why the live node_modules cannot stand in for the commit's, or undefined when it can. */
export function reuseRefusal(
  commitLock: string | undefined,
  liveLock: string | undefined,
  installed: string | undefined,
): string | undefined {
  if (commitLock === undefined) return "the commit has no package-lock.json";
  if (liveLock !== commitLock) return "its package-lock.json differs from this checkout's";
  if (installed === undefined) return "this checkout's node_modules has no .package-lock.json (not installed by npm ci)";
  const wanted = (JSON.parse(liveLock) as Lockfile).packages ?? {};
  const present = (JSON.parse(installed) as Lockfile).packages ?? {};
  for (const [name, entry] of Object.entries(present)) {
    if (JSON.stringify(entry) !== JSON.stringify(wanted[name]))
      return `this checkout's node_modules does not match its package-lock.json (${name}); run npm ci here`;
  }
  // npm leaves out optional packages of other platforms; anything else missing was not installed.
  const missing = Object.entries(wanted).find(
    ([name, entry]) => name !== "" && !(name in present) && !(entry as { optional?: boolean }).optional,
  );
  return missing ? `this checkout's node_modules lacks ${missing[0]}; run npm ci here` : undefined;
}
