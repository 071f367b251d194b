/**
 * bench:real's table: each Pulumi step beside what it is compared with (kubectl's way of doing the same, or the
 * engine's fixed cost), the ratio of their wall times, and the CPU seconds of each side (Pulumi's split into the
 * program, the engine and the Kubernetes provider). A results file lets the two sides of a run too long for one
 * command (`--no-pulumi`, then `--no-kubectl`) be reported as one.
 */
import * as fs from "fs";
import { Refused } from "../lib/command";
import { Measured } from "./steps";
import { formatTable } from "./teams";

export interface Results extends Measured {
  readonly teams: number;
  readonly objects: number;
  readonly date: string;
}

/** This run's measurements over those `file` already holds for the same number of teams; written back. */
export function mergeResults(file: string, run: Results): Results {
  const before = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Results) : undefined;
  if (before && (before.teams !== run.teams || before.objects !== run.objects)) {
    throw new Refused(
      `${file} holds a run of ${before.teams} teams (${before.objects} objects), not ${run.teams}: give another --results file`,
    );
  }
  const merged: Results = {
    ...run,
    seconds: { ...before?.seconds, ...run.seconds },
    cpu: { ...before?.cpu, ...run.cpu },
    load: { ...before?.load, ...run.load },
  };
  fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

/** Pulumi's steps and what each is compared with. */
const ROWS: readonly (readonly [step: string, pulumi: string | undefined, comparedWith: string | undefined])[] = [
  ["engine's fixed cost: empty program, preview + up", "empty program", undefined],
  ["deploy from empty", "pulumi up", "kubectl apply"],
  ["deploy from empty", "pulumi up", "kubectl apply --validate=false"],
  ["deploy from empty", "pulumi up", "kubectl apply, parallel clients"],
  ["no change (preview / kubectl diff)", "pulumi preview", "kubectl diff"],
  ["no change applied again", undefined, "kubectl apply again"],
  ["add one team: preview", "pulumi preview +1", undefined],
  ["add one team: up", "pulumi up +1", undefined],
  ["add one team: preview + up", "team added", "empty program"],
  ["remove it: up", "pulumi up -1", undefined],
  ["delete everything (destroy / kubectl delete --wait)", "pulumi destroy", "kubectl delete"],
];

const TEAM_ADDED = ["pulumi preview +1", "pulumi up +1"];

export function formatResults(results: Results, description: string): string {
  const seconds: Record<string, number> = { ...results.seconds };
  const cpu: Record<string, Record<string, number>> = { ...results.cpu };
  if (TEAM_ADDED.every((label) => seconds[label] !== undefined)) {
    seconds["team added"] = TEAM_ADDED.reduce((sum, label) => sum + seconds[label], 0);
    cpu["team added"] = {};
    for (const label of TEAM_ADDED)
      for (const [name, s] of Object.entries(cpu[label])) cpu["team added"][name] = (cpu["team added"][name] ?? 0) + s;
  }
  const wall = (label?: string) => (label && seconds[label] !== undefined ? seconds[label].toFixed(1) : "");
  const cpuTotal = (label?: string) => (label && cpu[label] ? Object.values(cpu[label]).reduce((a, b) => a + b, 0) : undefined);
  const split = (label?: string) =>
    label && cpu[label]
      ? `${cpuTotal(label)!.toFixed(1)} (${[cpu[label].node, cpu[label].pulumi, cpu[label]["pulumi-resource"]].map((s) => (s ?? 0).toFixed(1)).join("/")})`
      : "";
  const ratio = (a?: string, b?: string) => (a && b && seconds[a] && seconds[b] ? `${(seconds[a] / seconds[b]).toFixed(1)}×` : "");
  const load = (label?: string) => (label && results.load[label] !== undefined ? results.load[label].toFixed(1) : "");
  const body = ROWS.filter(([, pulumi, other]) => (pulumi && seconds[pulumi] !== undefined) || (other && seconds[other] !== undefined)).map(
    ([step, pulumi, other]) => [
      step,
      wall(pulumi),
      split(pulumi),
      other ?? "",
      wall(other),
      other === "empty program" ? split(other) : (cpuTotal(other)?.toFixed(1) ?? ""),
      ratio(pulumi, other),
      [load(pulumi), load(other)].filter(Boolean).join(", "),
    ],
  );
  const header = ["step", "pulumi s", "CPU s (program/engine/provider)", "compared with", "its s", "its CPU s", "ratio", "load"];
  return `${description}\n${formatTable(header, body)}`;
}
