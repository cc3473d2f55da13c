/**
 * Many simulated modems in child processes (fleet-child.ts, 64 each), so a daemon managing a fleet
 * pays only for its own side: the radios, firmware and sockets of the modems live elsewhere. Each
 * process hands out the same address ranges (10.64–127.x): fine in memory, not for TUN links.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ProfileName } from './profiles.js';
import type { Simulator } from './simulator.js';

/** The built child (`npm run build`), the same path from src/sim and from dist/sim. */
const CHILD = fileURLToPath(new URL('../../dist/sim/fleet-child.js', import.meta.url));
export const MODEMS_PER_PROCESS = 64;

type Ready = ReturnType<Simulator['ready']>;

export class SimulatorFleet {
  private constructor(
    private readonly children: ChildProcess[],
    /** Every modem of every process, in order. */
    readonly modems: Ready['modems'],
  ) {}

  static async start(options: { profile: ProfileName; modems: number; seed?: number; perProcess?: number; log?: (line: string) => void }): Promise<SimulatorFleet> {
    const per = options.perProcess ?? MODEMS_PER_PROCESS;
    const counts = Array.from({ length: Math.ceil(options.modems / per) }, (_, i) => Math.min(per, options.modems - i * per));
    const children: ChildProcess[] = [];
    const started = await Promise.allSettled(
      counts.map((n, i) => {
        const child = spawn(process.execPath, [CHILD, options.profile, String(n), String((options.seed ?? 1) + i * per)], { stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(child);
        return readyLine(child, options.log);
      }),
    );
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const fleet = new SimulatorFleet(children, started.flatMap((r) => (r.status === 'fulfilled' ? r.value.modems : [])));
    if (failed) {
      await fleet.stop();
      throw failed.reason as Error;
    }
    return fleet;
  }

  /** SIGTERM to every process; each removes its sockets and folder. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map((c) => {
        if (c.exitCode !== null || c.signalCode !== null) return undefined;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        return exited;
      }),
    );
  }
}

function readyLine(child: ChildProcess, log?: (line: string) => void): Promise<Ready> {
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    // Only the tail is kept for an error message; the rest goes to the log, line by line.
    err = (err + d.toString()).slice(-4000);
    if (log) for (const l of d.toString().split('\n')) if (l) log(l);
  });
  return new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a simulator process gave no ready line in 60 s: ${err}`)), 60_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(JSON.parse(l) as Ready);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a simulator process exited with ${code}${existsSync(CHILD) ? '' : ` (${CHILD} is missing: run \`npm run build\`)`}: ${err}`));
    });
  });
}
