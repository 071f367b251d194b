/**
 * Ctrl-C during a rollback. The first SIGINT (or SIGTERM) stops the rollback: before the update starts nothing
 * is changed; during the update the engine is asked to cancel, once, and the tool waits for it. A cancelling
 * engine finishes the resource operations in flight, writes the state, records the update as failed and
 * releases the lock. Later signals are ignored: the CLI takes a second SIGINT as "terminate immediately",
 * which abandons the operations in flight (they stay in the state as pending_operations), and a process that
 * dies outright leaves its lock behind (both measured with the CLI on a file backend, docs/delivery.md).
 */
export class Interrupt {
  private readonly stops = new Set<() => void>();
  private received = false;

  constructor(private readonly log: (line: string) => void) {}

  get requested(): boolean {
    return this.received;
  }

  /** One SIGINT or SIGTERM received by the tool. */
  receive(signal: string): void {
    if (this.received) {
      this.log(
        `\n${signal} again: ignored. The rollback is stopping; it ends when the engine has finished the operations in flight and released the lock. ` +
          "Killing it now would leave the lock and pending operations in the state.",
      );
      return;
    }
    this.received = true;
    this.log(`\n${signal}: stopping the rollback.`);
    for (const stop of [...this.stops]) stop();
  }

  /** Runs `stop` at the first signal (at once if one came already); the returned function unregisters it. */
  onRequest(stop: () => void): () => void {
    if (this.received) {
      stop();
      return () => undefined;
    }
    this.stops.add(stop);
    return () => this.stops.delete(stop);
  }
}
