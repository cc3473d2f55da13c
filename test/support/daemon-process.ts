/** Runs `wwan daemon` as a child process (memory links unless `--netdev` is given, no discovery) beside a `wwan sim` process. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { DaemonClient } from '../../src/daemon/client.js';
import { WWAN } from './capture.js';

export interface DaemonProcess {
  child: ChildProcess;
  socket: string;
  stderr: () => string;
  client: () => Promise<DaemonClient>;
  /** Sends `signal` and resolves with the exit code (or signal) and how long the exit took. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export async function startDaemon(socket: string, args: string[]): Promise<DaemonProcess> {
  const netdev = args.includes('--netdev') ? [] : ['--netdev', 'memory'];
  const child = spawn(process.execPath, [WWAN, 'daemon', '--socket', socket, ...netdev, '--no-discover', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wwan daemon did not listen in 20 s: ${err}`)), 20_000);
    createInterface({ input: child.stdout! }).once('line', () => {
      clearTimeout(timer);
      resolve();
    });
    void exited.then(({ code }) => reject(new Error(`wwan daemon exited with ${code}: ${err}`)));
  });
  return {
    child,
    socket,
    stderr: () => err,
    client: () => DaemonClient.connect(socket),
    async kill(signal) {
      const t0 = Date.now();
      child.kill(signal);
      const r = await exited;
      return { ...r, ms: Date.now() - t0 };
    },
  };
}

/** One request on the simulator's control socket (a fault, or a query), and its answer. */
export function simControl<T = Record<string, unknown>>(control: string, req: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: control });
    sock.once('error', reject);
    sock.once('connect', () => sock.write(`${JSON.stringify(req)}\n`));
    createInterface({ input: sock }).once('line', (line) => {
      sock.destroy();
      resolve(JSON.parse(line) as T);
    });
  });
}

export interface SimClients {
  modems: { id: string; qmiClients: Record<string, number[]>; mbimOpen?: number; sessions: { handle: number; apn: string; linkId: number }[] }[];
}

/** Waits until `cond` resolves true, polling; fails after `ms`. */
export async function eventually(cond: () => Promise<boolean>, ms = 15_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what} not met in ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
