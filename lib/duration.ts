/** Durations as config writes them (`90m`, `48h`, `30d`, `2w`; see config/primitives.ts `duration`). */

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * A config duration (`90m`, `48h`, `30d`, `2w`) as Go prints a `time.Duration` (`1h30m0s`, `48h0m0s`,
 * `720h0m0s`), for Go programs (Velero, the cluster autoscaler): Go has no day or week unit, and Velero stores
 * TTLs in this exact form, so anything else would show as a diff on every update.
 */
export function toGoDuration(duration: string): string {
  const match = /^([0-9]+)(s|m|h|d|w)$/.exec(duration);
  if (!match) throw new Error(`expected a duration such as 90m, 48h or 30d, got "${duration}"`);
  const total = Number(match[1]) * SECONDS[match[2]];
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
