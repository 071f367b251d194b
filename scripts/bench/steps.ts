/**
 * The steps of a benchmark, each timed as a whole (wall seconds from its first command's start to its last one's
 * end) and by the CPU seconds of every command it ran, by process name: steps whose commands run side by side
 * cost less wall time than CPU time, which is the point of running them so.
 */
import * as os from "os";
import { Background, CommandError, Result } from "../../test/e2e/support/commands";
import { sampleCpu } from "./cpu";

export interface Measured {
  readonly seconds: Record<string, number>;
  readonly cpu: Record<string, Record<string, number>>;
  /** The load average (1 minute) at the end of each step: what else ran on the machine meanwhile. */
  readonly load: Record<string, number>;
}

/** Runs one command of a step and samples its CPU; rejects if it fails. */
export type Run = (command: Background) => Promise<Result>;

export class Steps {
  readonly measured: Measured = { seconds: {}, cpu: {}, load: {} };

  /** Times `body` as the step `label`; a label measured again (one step per stack) adds up. */
  async step(label: string, body: (run: Run) => Promise<unknown>): Promise<void> {
    const cpu = (this.measured.cpu[label] ??= {});
    const run: Run = async (command) => {
      const sampler = sampleCpu(command.child.pid!);
      const result = await command.result;
      for (const [name, s] of Object.entries(sampler.stop())) cpu[name] = (cpu[name] ?? 0) + s;
      if (result.code !== 0) throw new CommandError(result);
      return result;
    };
    const started = Date.now();
    await body(run);
    const seconds = (Date.now() - started) / 1000;
    this.measured.seconds[label] = (this.measured.seconds[label] ?? 0) + seconds;
    this.measured.load[label] = os.loadavg()[0];
    const byProcess = Object.entries(cpu)
      .sort((a, b) => b[1] - a[1])
      .map(([name, s]) => `${name} ${s.toFixed(1)}`);
    console.error(`[bench] ${label}: ${seconds.toFixed(1)} s; CPU s: ${byProcess.join(", ")}; load ${os.loadavg()[0].toFixed(1)}`);
  }
}

/** Runs `work` for every item, at most `width` at a time, in order of the items. */
export async function sideBySide<T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}
