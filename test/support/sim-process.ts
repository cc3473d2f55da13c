/** Runs `wwan sim` as a child process and hands back its ready event. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { WWAN } from './capture.js';

export interface SimReady {
  event: 'ready';
  /** The fault-injection socket (`wwan sim ctl --control`). */
  control: string;
  modems: { id: string; profile: string; ports: { type: string; path: string; socket: string }[]; data: string }[];
}

export interface SimProcess {
  ready: SimReady;
  child: ChildProcess;
  stderr: () => string;
  /** SIGINT, and the exit code. */
  stop(): Promise<number | null>;
}

export async function startSim(args: string[]): Promise<SimProcess> {
  const child = spawn(process.execPath, [WWAN, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<SimReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wwan sim gave no ready line in 10 s: ${err}`)), 10_000);
    lines.once('line', (l) => {
      clearTimeout(timer);
      resolve(JSON.parse(l) as SimReady);
    });
    child.once('exit', (code) => reject(new Error(`wwan sim exited with ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    ready,
    child,
    stderr: () => err,
    async stop() {
      child.kill('SIGINT');
      return exited;
    },
  };
}
