/**
 * SIGINT/SIGTERM handling for commands that clean up before they exit. Every later signal is absorbed
 * (a second Ctrl-C, or a terminal's Ctrl-C reaching a whole process group twice, as under `timeout`)
 * so it cannot cut the cleanup short, which Node's default action would.
 */
export function onStopSignal(stop: () => void): void {
  let stopping = false;
  const first = (): void => {
    if (stopping) return;
    stopping = true;
    stop();
  };
  process.on('SIGINT', first);
  process.on('SIGTERM', first);
}

/** Resolves on the first SIGINT or SIGTERM. */
export const stopSignal = (): Promise<void> => new Promise((resolve) => onStopSignal(resolve));
