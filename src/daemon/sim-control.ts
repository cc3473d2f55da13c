/**
 * `wwan daemon --sim-control SOCKET`: the modems of a `wwan sim` running in its own process. The
 * simulator's control socket says which modems there are (control port, data pipe); while that
 * connection lasts they are managed, when it drops (the simulator stopped or was killed) they are
 * removed with their links and a `modem-removed` event, and when a simulator answers there again
 * they are found again. While connected, the simulator announces modems plugged in (`port-added`) and
 * unplugged (`port-removed`), and they are added and removed as a device folder's would be.
 */
import net from 'node:net';
import { createInterface } from 'node:readline';
import type { Manager } from '../modem/manager.js';
import type { SimModemEntry } from '../sim/control-queries.js';

const RETRY_MS = 500;

export class SimControlWatcher {
  private sock: net.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The manager's ids of the modems this simulator gave. */
  private readonly ids = new Set<string>();
  private adding: Promise<void> = Promise.resolve();

  constructor(
    private readonly manager: Manager,
    readonly path: string,
    private readonly log: (line: string) => void,
    /** Put before the simulator's modem ids (`modem0`), so two simulators' modems keep apart. */
    private readonly prefix = '',
  ) {}

  /** Connects now; resolves once the simulator's modems are added (or the first attempt failed: retries go on). */
  start(): Promise<void> {
    return this.connect();
  }

  private connect(): Promise<void> {
    return new Promise((resolve) => {
      const sock = net.connect({ path: this.path });
      this.sock = sock;
      let answered = false;
      sock.once('connect', () => sock.write(`${JSON.stringify({ query: 'modems' })}\n`));
      sock.on('error', () => undefined);
      sock.once('close', () => {
        this.sock = undefined;
        if (!answered) resolve();
        void this.lost();
      });
      createInterface({ input: sock })
        .on('error', () => undefined)
        .on('line', (line) => {
          if (answered) return this.announced(line);
          answered = true;
          const modems = parseSimModems(line);
          if (!modems) this.log(`sim-control ${this.path}: not a simulator's answer`);
          this.adding = this.add(modems ?? []).finally(resolve);
        });
    });
  }

  private async add(modems: SimModemEntry[]): Promise<void> {
    for (const m of modems) {
      const id = `${this.prefix}${m.id}`;
      if (this.stopped || this.manager.modems.has(id)) continue;
      const port = m.ports[0];
      if (!port) continue;
      this.ids.add(id);
      try {
        await this.manager.add({ id, control: m.control, port: `unix:${port.socket}`, dataPipe: m.dataPipe, pipe: m.data === 'bam-dmux' ? 'bam-dmux' : 'usb', rediscover: false });
        this.log(`${id}: ${m.profile} modem of the simulator at ${this.path}`);
      } catch (e) {
        this.log(`${id}: not added: ${(e as Error).message}`);
        this.ids.delete(id);
      }
    }
  }

  /** A port the simulator announced: added and removed in order, after what is under way. */
  private announced(line: string): void {
    const e = parseSimEvent(line);
    if (!e) return this.log(`sim-control ${this.path}: ignored a line that is not a port event`);
    this.adding = this.adding.then(async () => {
      if (e.event === 'port-added') return this.add([e.modem]);
      const id = `${this.prefix}${e.modem}`;
      if (!this.ids.delete(id) || !this.manager.modems.has(id)) return;
      this.log(`${id}: unplugged from the simulator at ${this.path}; removing the modem`);
      await this.manager.remove(id).catch((err: Error) => this.log(`${id}: ${err.message}`));
    });
  }

  /** The simulator is gone: its modems are removed, and its socket is tried again until it answers. */
  private async lost(): Promise<void> {
    await this.adding;
    for (const id of [...this.ids]) {
      this.ids.delete(id);
      if (this.manager.modems.has(id)) {
        this.log(`${id}: the simulator at ${this.path} is gone; removing the modem`);
        await this.manager.remove(id);
      }
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.connect(), RETRY_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.sock?.destroy();
    await this.adding;
  }
}

const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 256;
const isModemEntry = (m: Partial<SimModemEntry> | null): m is SimModemEntry =>
  typeof m === 'object' && m !== null && str(m.id) && /^[\w.-]+$/.test(m.id) && (m.control === 'qmi' || m.control === 'mbim') && str(m.dataPipe) && Array.isArray(m.ports) && typeof m.ports[0] === 'object' && m.ports[0] !== null && str(m.ports[0].socket);

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** The simulator's `modems` answer, or undefined when it is not one (nothing in it is trusted blindly). */
export function parseSimModems(line: string): SimModemEntry[] | undefined {
  const modems = (parseLine(line) as { modems?: unknown } | null)?.modems;
  if (!Array.isArray(modems)) return undefined;
  return modems.filter(isModemEntry);
}

export type SimPortEvent = { event: 'port-added'; modem: SimModemEntry } | { event: 'port-removed'; modem: string };

/** A port the simulator announced, or undefined when the line is not one. */
export function parseSimEvent(line: string): SimPortEvent | undefined {
  const v = parseLine(line) as { event?: unknown; modem?: unknown } | null;
  if (v?.event === 'port-added' && isModemEntry(v.modem as Partial<SimModemEntry> | null)) return { event: 'port-added', modem: v.modem as SimModemEntry };
  if (v?.event === 'port-removed' && str(v.modem) && /^[\w.-]+$/.test(v.modem)) return { event: 'port-removed', modem: v.modem };
  return undefined;
}
