/**
 * The real mbimcli and `wwan mbimcli` (run from source) on the same device: each invocation's exit code
 * and output, and the check the radio/UICC/MBIMEx tests make of both from the same modem state.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const MAIN = fileURLToPath(new URL('../../src/cli/mbimcli/main.ts', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export const exec = (cmd: string, args: string[]): Promise<Run> =>
  new Promise((resolve) =>
    execFile(cmd, args, { timeout: 30_000 }, (e, stdout, stderr) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr })),
  );

/** Both tools against the device `dev()` names (read at each call: it is known only after the simulator starts). */
export function mbimcliPair(dev: () => string): {
  mbimcli: (...args: string[]) => Promise<Run>;
  wwan: (...args: string[]) => Promise<Run>;
  /** Both from the same state (actions that change nothing): the same code, stdout and stderr; the real tool's run. */
  same: (...args: string[]) => Promise<Run>;
  /** As `same`, and the action succeeded: the real tool's stdout. */
  both: (...args: string[]) => Promise<string>;
} {
  const mbimcli = (...args: string[]): Promise<Run> => exec('mbimcli', ['-d', dev(), ...args]);
  const wwan = (...args: string[]): Promise<Run> => exec(process.execPath, ['--import', 'tsx', MAIN, '-d', dev(), ...args]);
  const same = async (...args: string[]): Promise<Run> => {
    const real = await mbimcli(...args);
    const ours = await wwan(...args);
    expect({ code: ours.code, stdout: ours.stdout, stderr: ours.stderr }).toEqual({ code: real.code, stdout: real.stdout, stderr: real.stderr });
    return real;
  };
  const both = async (...args: string[]): Promise<string> => {
    const real = await same(...args);
    expect(real.code).toBe(0);
    return real.stdout;
  };
  return { mbimcli, wwan, same, both };
}
