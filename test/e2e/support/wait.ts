/** Polls `probe` until it returns a value (not undefined), or fails after `timeout` ms naming what it waited for. */
export async function waitFor<T>(what: string, timeout: number, probe: () => Promise<T | undefined>, interval = 1000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout / 1000}s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
