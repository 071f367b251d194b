/**
 * CPU seconds of a command and everything it starts (Linux /proc), by process name: on a machine shared with
 * other work, wall time says how busy the machine was, CPU time what the command cost.
 */
import * as fs from "fs";

const TICKS_PER_SECOND = 100; // USER_HZ, the unit of /proc/<pid>/stat's utime and stime on Linux

interface ProcessStat {
  readonly name: string;
  readonly parent: number;
  readonly seconds: number;
}

function readStat(pid: number): ProcessStat | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): field 4 is the parent, fields 14 and 15 utime and stime.
    return { name, parent: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined; // exited between listing and reading
  }
}

/**
 * Samples the process tree under `root` until stopped; the last reading of each process is taken as its total
 * (so up to one interval of a process's last moments is missed).
 */
export function sampleCpu(root: number, intervalMs = 250): { stop(): Record<string, number> } {
  const last = new Map<number, ProcessStat>();
  const sample = () => {
    const all = new Map<number, ProcessStat>();
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat) all.set(Number(entry), stat);
    }
    const tree = new Set([root]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, stat] of all) {
        if (!tree.has(pid) && tree.has(stat.parent)) {
          tree.add(pid);
          grew = true;
        }
      }
    }
    for (const pid of tree) if (all.has(pid)) last.set(pid, all.get(pid)!);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const byName: Record<string, number> = {};
      for (const { name, seconds } of last.values()) byName[name] = (byName[name] ?? 0) + seconds;
      return byName;
    },
  };
}
