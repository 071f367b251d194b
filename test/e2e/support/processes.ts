/** The process tree under one process, read from /proc (Linux): what a CI runner kills when it kills a job. */
import * as fs from "fs";

/** `pid` and every process below it, parents first. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // `pid (comm) state ppid …`: comm may contain spaces and parentheses, so read after the last ")".
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** Stops the whole tree at once, then kills it: no process gets to react to its parent's death. */
export function killTree(pid: number): number[] {
  const tree = processTree(pid);
  const signal = (name: NodeJS.Signals) => {
    for (const member of tree) {
      try {
        process.kill(member, name);
      } catch {
        // already gone
      }
    }
  };
  signal("SIGSTOP");
  signal("SIGKILL");
  return tree;
}
