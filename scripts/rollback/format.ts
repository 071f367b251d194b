import type { HistoryRow } from "./history";
import { firstLine } from "./message";
import { EngineFailure } from "./refusals";

const MESSAGE_WIDTH = 72;

function shortCommit(row: HistoryRow): string {
  if (!row.commit) return "-";
  return `${row.commit.slice(0, 12)}${row.dirty ? " (dirty)" : ""}`;
}

/** The history as a table: one line per update, newest first, times in UTC. */
export function formatHistory(rows: readonly HistoryRow[]): string {
  const table = [
    ["VERSION", "TIME (UTC)", "KIND", "RESULT", "COMMIT", "MESSAGE"],
    ...rows.map((row) => {
      const message = firstLine(row.message);
      return [
        String(row.version),
        row.startTime.toISOString().slice(0, 16).replace("T", " "),
        row.kind,
        row.result,
        shortCommit(row),
        message.length > MESSAGE_WIDTH ? `${message.slice(0, MESSAGE_WIDTH - 1)}…` : message,
      ];
    }),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((cells) => cells[column].length)));
  return table
    .map((cells) =>
      cells
        .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function describeRow(row: HistoryRow): string {
  return `version ${row.version} (${row.startTime.toISOString()}, commit ${shortCommit(row)}${row.message ? `: ${firstLine(row.message)}` : ""})`;
}

/** `1h 02m 03s`, `4m 07s`, `12s`: how long a rollback took. */
export function formatDuration(milliseconds: number): string {
  const total = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** The command that rolls back to one version: what a refusal tells the operator to run. */
export function rollbackCommand(stack: string, version: number): string {
  return `npm run rollback -- ${stack} --to ${version}`;
}

export function isConfirmation(answer: string): boolean {
  return /^(y|yes)$/i.test(answer.trim());
}

/**
 * A failed command as one short paragraph: for the engine, the last lines of its stderr (its output was
 * already streamed); for anything else, the error's message.
 */
export function errorSummary(error: Error): string {
  if (error instanceof EngineFailure) {
    const lines = error.stderr
      .trim()
      .split("\n")
      .filter((line) => line.trim() !== "");
    return lines.length > 0 ? lines.slice(-5).join("\n") : error.message;
  }
  return error.message;
}
