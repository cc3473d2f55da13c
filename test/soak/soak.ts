/**
 * The soak and fault run (issue 18): the daemon and simulators in separate processes, two PDNs on each
 * modem, and for a while every fault the simulator offers in random order with random spacing, plus
 * SIGKILL of the daemon or a simulator now and then. After each step: every bearer back within a bound,
 * no client id or call left behind in the simulator, the daemon's RSS and fds within bounds, and the
 * daemon's last events agreeing with `info`. One JSON summary; `ok` is false on any leak or unrecovered bearer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonClient } from '../../src/daemon/client.js';
import { Random } from '../../src/sim/random.js';
import { eventually, simControl, startDaemon, type DaemonProcess, type SimClients } from '../support/daemon-process.js';
import { startSim, type SimProcess } from '../support/sim-process.js';

export interface SoakOptions {
  durationMs: number;
  seed?: number;
  profiles?: string[];
  /** How long a bearer may take to come back before it counts as unrecovered. */
  recoveryBoundMs?: number;
  /** How often (0..1) a step is a SIGKILL of the daemon or of a simulator. */
  killRate?: number;
  log?: (line: string) => void;
  /** Ends the run early (Ctrl-C): the summary covers the steps done. */
  signal?: AbortSignal;
}

export interface SoakSummary {
  ok: boolean;
  durationS: number;
  steps: number;
  faults: Record<string, number>;
  recoveries: number;
  worstRecoveryMs: number;
  worstRecoveryAfter: string;
  leaks: string[];
  unrecovered: string[];
  inconsistent: string[];
  daemon: { rssMiB: { first: number; last: number; max: number }; fds: { first: number; last: number; max: number }; restarts: number };
  clientIdsAtEnd: Record<string, Record<string, number[]>>;
  sessionsAtEnd: Record<string, number>;
}

/** Two PDNs per modem: what the soak keeps up. */
const PDNS = [
  { apn: 'internet', ipType: 'ipv4' as const },
  { apn: 'ims', ipType: 'ipv4' as const },
];
const RSS_BOUND_MIB = 400;
const FD_DRIFT_BOUND = 64;

interface SimSlot {
  profile: string;
  dir: string;
  proc: SimProcess;
  /** The daemon's id for its modem. */
  modemId: string;
}


export async function runSoak(o: SoakOptions): Promise<SoakSummary> {
  const log = o.log ?? (() => undefined);
  const random = new Random(o.seed ?? 1);
  const bound = o.recoveryBoundMs ?? 90_000;
  const killRate = o.killRate ?? 0.08;
  const root = mkdtempSync(join(tmpdir(), `wwan-soak-${process.pid}-`));
  const summary: SoakSummary = {
    ok: false, durationS: 0, steps: 0, faults: {}, recoveries: 0, worstRecoveryMs: 0, worstRecoveryAfter: '',
    leaks: [], unrecovered: [], inconsistent: [],
    daemon: { rssMiB: { first: 0, last: 0, max: 0 }, fds: { first: 0, last: 0, max: 0 }, restarts: 0 },
    clientIdsAtEnd: {}, sessionsAtEnd: {},
  };
  const slots: SimSlot[] = [];
  let daemon: DaemonProcess | undefined;
  let client: DaemonClient | undefined;
  let lastState = new Map<string, string>();
  const socket = join(root, 'wwand.sock');
  const t0 = Date.now();

  const startSlotSim = async (slot: { profile: string; dir: string }): Promise<SimProcess> => startSim(['--profile', slot.profile, '--dir', slot.dir]);
  const startTheDaemon = async (): Promise<void> => {
    daemon = await startDaemon(socket, slots.flatMap((s) => ['--sim-control', s.proc.ready.control]));
    client = await daemon.client();
    lastState = new Map();
    client.onEvent((e) => {
      if (e.event === 'state') lastState.set(e.modem as string, e.state as string);
    });
    await client.call('subscribe');
  };
  const info = (id: string) => client!.call('info', { modem: id });

  /** Brings every PDN of every modem up (after a daemon or simulator restart, nothing remembers them). */
  const connectAll = async (): Promise<void> => {
    for (const s of slots) {
      await eventually(async () => (await info(s.modemId)).state === 'registered' || (await info(s.modemId)).state === 'connected', bound, `${s.modemId} registered`);
      const have = new Set((await info(s.modemId)).bearers.map((b) => b.apn));
      for (const p of PDNS) if (!have.has(p.apn)) await client!.call('connect', { modem: s.modemId, ...p });
    }
  };

  /** Every bearer up, within the bound; the time it took. */
  const awaitRecovery = async (after: string): Promise<void> => {
    const start = Date.now();
    for (const s of slots) {
      try {
        // Both sides agree: the daemon's bearers connected and the simulator's calls up (a disconnect's
        // notification may still be on its way when the fault's answer is back).
        await eventually(async () => {
          const i = await info(s.modemId);
          const calls = (await simControl<SimClients>(s.proc.ready.control, { query: 'clients' })).modems[0]!.sessions.length;
          return calls === PDNS.length && i.bearers.length === PDNS.length && i.bearers.every((b) => b.status === 'connected');
        }, bound, `${s.modemId} bearers`);
      } catch {
        summary.unrecovered.push(`${s.modemId} after ${after}: ${JSON.stringify((await info(s.modemId).catch((e: Error) => ({ error: e.message }))))}`);
        return;
      }
    }
    const ms = Date.now() - start;
    summary.recoveries++;
    if (ms > summary.worstRecoveryMs) {
      summary.worstRecoveryMs = ms;
      summary.worstRecoveryAfter = after;
    }
  };

  /** Nothing left behind in the simulators; the daemon's resources within bounds; events agree with info. */
  const check = async (after: string): Promise<void> => {
    for (const s of slots) {
      const c = (await simControl<SimClients>(s.proc.ready.control, { query: 'clients' })).modems[0]!;
      // QMI: DMS, NAS, UIM, WMS (messaging) and one WDS client per PDN; MBIM: one open connection and no QMI clients.
      const ids = Object.values(c.qmiClients).reduce((n, x) => n + x.length, 0);
      const wantIds = s.profile.startsWith('mbim') || s.profile === 'iosm' ? 0 : 4 + PDNS.length;
      if (ids !== wantIds) summary.leaks.push(`${s.modemId} after ${after}: ${ids} client ids (${JSON.stringify(c.qmiClients)}), expected ${wantIds}`);
      if (c.sessions.length !== PDNS.length) summary.leaks.push(`${s.modemId} after ${after}: ${c.sessions.length} calls up, expected ${PDNS.length}`);
      if (c.mbimOpen !== undefined && c.mbimOpen > 1) summary.leaks.push(`${s.modemId} after ${after}: ${c.mbimOpen} MBIM connections open`);
      const i = await info(s.modemId);
      const seen = lastState.get(s.modemId);
      if (seen !== undefined && seen !== i.state) summary.inconsistent.push(`${s.modemId} after ${after}: last state event ${seen}, info ${i.state}`);
    }
    const pid = daemon!.child.pid!;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const d = summary.daemon;
    if (d.rssMiB.first === 0) {
      d.rssMiB.first = Math.round(rss);
      d.fds.first = fds;
    }
    d.rssMiB.last = Math.round(rss);
    d.fds.last = fds;
    d.rssMiB.max = Math.max(d.rssMiB.max, Math.round(rss));
    d.fds.max = Math.max(d.fds.max, fds);
    if (rss > RSS_BOUND_MIB) summary.leaks.push(`daemon RSS ${Math.round(rss)} MiB after ${after}`);
    if (fds - d.fds.first > FD_DRIFT_BOUND) summary.leaks.push(`daemon fds ${fds} (first ${d.fds.first}) after ${after}`);
  };

  /** One fault on one modem, held a while when it has an end (signal back, stall over, flow on). */
  const fault = async (s: SimSlot): Promise<string> => {
    const mbim = s.profile.startsWith('mbim') || s.profile === 'iosm';
    // Flow control is QMAP's, channels are BAM-DMUX's, DSS is MBIM's: each where the modem has it.
    const kinds = ['reset', 'disconnect', 'signal-loss', 'drop-responses', 'delay-responses', 'malformed-control', 'malformed-data', 'indication-storm', ...(mbim ? ['dss-stall'] : s.profile === 'bam-dmux' ? ['bam-channel'] : ['flow-control'])];
    const kind = kinds[random.int(0, kinds.length - 1)]!;
    const ctl = async (req: Record<string, unknown>): Promise<void> => {
      const answer = await simControl<{ ok: boolean; error?: string }>(s.proc.ready.control, req);
      if (!answer.ok) throw new Error(`fault ${JSON.stringify(req)} refused: ${answer.error}`);
    };
    const hold = (): Promise<void> => new Promise((r) => setTimeout(r, random.int(200, 2000)));
    switch (kind) {
      case 'signal-loss':
        await ctl({ fault: kind, on: true });
        await hold();
        await ctl({ fault: kind, on: false });
        break;
      case 'drop-responses':
        await ctl({ fault: kind, count: random.int(1, 3) });
        break;
      case 'delay-responses':
        await ctl({ fault: kind, ms: random.int(50, 1500) });
        await hold();
        await ctl({ fault: kind, ms: 0 });
        break;
      case 'indication-storm':
        await ctl({ fault: kind, count: random.int(100, 5000) });
        break;
      case 'flow-control':
        await ctl({ fault: kind, mux: 1, enable: false });
        await hold();
        await ctl({ fault: kind, mux: 1, enable: true });
        break;
      case 'bam-channel':
        await ctl({ fault: kind, channel: 1, open: false });
        await hold();
        await ctl({ fault: kind, channel: 1, open: true });
        break;
      case 'dss-stall':
        await ctl({ fault: kind, on: true });
        await hold();
        await ctl({ fault: kind, on: false });
        break;
      default:
        await ctl({ fault: kind });
    }
    return kind;
  };

  try {
    for (const [i, profile] of (o.profiles ?? ['qmi-rmnet', 'mbim-usb']).entries()) {
      const dir = mkdtempSync(join(root, `sim${i}-`));
      slots.push({ profile, dir, proc: await startSlotSim({ profile, dir }), modemId: i === 0 ? 'modem0' : `sim${i}.modem0` });
    }
    await startTheDaemon();
    await connectAll();
    await check('start');
    while (Date.now() - t0 < o.durationMs && !o.signal?.aborted) {
      summary.steps++;
      let what: string;
      const roll = random.next();
      if (roll < killRate / 2) {
        what = 'sigkill-daemon';
        await daemon!.kill('SIGKILL');
        client!.close();
        summary.daemon.restarts++;
        await startTheDaemon();
        await connectAll();
      } else if (roll < killRate) {
        const s = slots[random.int(0, slots.length - 1)]!;
        what = `sigkill-sim(${s.profile})`;
        s.proc.child.kill('SIGKILL');
        await eventually(async () => !(await client!.call('list')).some((m) => m.id === s.modemId), bound, `${s.modemId} removed`);
        s.proc = await startSlotSim(s);
        await connectAll();
      } else {
        const s = slots[random.int(0, slots.length - 1)]!;
        what = `${await fault(s)}(${s.profile})`;
      }
      summary.faults[what] = (summary.faults[what] ?? 0) + 1;
      log(`step ${summary.steps}: ${what}`);
      await awaitRecovery(what);
      if (summary.unrecovered.length > 0) break;
      await check(what);
      await new Promise((r) => setTimeout(r, random.int(0, 1500)));
    }
    for (const s of slots) {
      const c = (await simControl<SimClients>(s.proc.ready.control, { query: 'clients' })).modems[0]!;
      summary.clientIdsAtEnd[s.modemId] = c.qmiClients;
      summary.sessionsAtEnd[s.modemId] = c.sessions.length;
    }
  } catch (e) {
    summary.unrecovered.push(`the run stopped: ${(e as Error).message}`);
  } finally {
    client?.close();
    if (daemon && daemon.child.exitCode === null) {
      const stop = await daemon.kill('SIGTERM');
      if (stop.ms > 5000) summary.leaks.push(`daemon took ${stop.ms} ms to stop on SIGTERM`);
    }
    for (const s of slots) if (s.proc.child.exitCode === null) await s.proc.stop();
    rmSync(root, { recursive: true, force: true });
  }
  summary.durationS = Math.round((Date.now() - t0) / 1000);
  summary.ok = summary.leaks.length === 0 && summary.unrecovered.length === 0 && summary.inconsistent.length === 0;
  return summary;
}
