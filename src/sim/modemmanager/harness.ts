/**
 * `wwan sim --with-modemmanager`, the host side: checks the machine, takes the one-harness lock,
 * starts the namespace side (inside.ts) under `unshare -m -n --propagation private`, hands back its
 * ready event, and on stop ends it and every process it reported by PID and removes the folder. The
 * mounts and the network namespace end with the processes inside them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PersonalizationLock } from '../personalization.js';

/**
 * Debian's ModemManager. `WWAN_MODEMMANAGER` overrides the path for one purpose only: showing how a
 * missing package is reported (the tests point it at a path that does not exist).
 */
export const MODEMMANAGER = process.env.WWAN_MODEMMANAGER ?? '/usr/sbin/ModemManager';
const LOCK = join(tmpdir(), 'wwankit-modemmanager.pid');

/** What the host side hands to inside.ts (argv, JSON). */
export interface InsideConfig {
  dir: string;
  profile: string;
  modems: number;
  seed: number;
  pinLocked: boolean;
  personalization: PersonalizationLock[];
  modemManagerLog: string;
}

export interface HarnessOptions {
  profile: string;
  modems: number;
  seed: number;
  /** The SIM starts PIN-locked (PIN 1234). */
  pinLocked?: boolean;
  /** SIM locks the modem enforces (QMI). */
  personalization?: PersonalizationLock[];
  /** Keep ModemManager's debug log here (else it lives in the harness folder and goes with it). */
  modemManagerLog?: string;
  log: (line: string) => void;
}

export interface HarnessReady {
  event: 'ready';
  dbus: string;
  control: string;
  modemManagerLog: string;
  modems: { id: string; profile: string; device: string; net: string; path?: string }[];
  /** What the harness started inside the namespaces, so its user can watch (or kill) them by PID. */
  processes: { name: string; pid: number }[];
}

const hasCommand = (name: string): boolean => {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why this machine cannot run the harness, or undefined. */
export function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (private mount and network namespaces, mknod)';
  try {
    accessSync(MODEMMANAGER, constants.X_OK);
  } catch {
    return `${MODEMMANAGER} is missing: apt-get install modemmanager`;
  }
  if (!hasCommand('dbus-daemon')) return 'dbus-daemon is missing: apt-get install dbus';
  for (const c of ['unshare', 'mount', 'mknod']) if (!hasCommand(c)) return `${c} is missing: apt-get install util-linux coreutils`;
  return undefined;
}

/** Whether a process with this PID still exists. */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One harness per machine: a second one would fight over the same modem names and confuse whoever drives mmcli. */
function takeLock(): void {
  try {
    writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const holder = Number(readFileSync(LOCK, 'utf8'));
  if (Number.isInteger(holder) && holder > 0 && alive(holder)) throw new Error(`another wwan sim --with-modemmanager runs (pid ${holder}); stop it first`);
  writeFileSync(LOCK, String(process.pid));
}

/** The namespace side: compiled inside.js beside this file (inside.ts under tsx). */
function insideCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  const inside = self.replace(/harness\.(ts|js)$/, 'inside.$1');
  return inside.endsWith('.ts') ? ['--import', 'tsx', inside] : [inside];
}

export class ModemManagerHarness {
  /** Resolves with the exit code once the namespace side has ended and everything is removed. */
  readonly exited: Promise<number>;
  /** The ready event, once ModemManager lists the modems; rejects if the harness ends first. */
  readonly ready: Promise<HarnessReady>;
  private readonly pids = new Map<number, string>();
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly log: (line: string) => void,
  ) {
    const lines = createInterface({ input: child.stdout! });
    let resolveReady: (r: HarnessReady) => void;
    let rejectReady: (e: Error) => void;
    this.ready = new Promise((res, rej) => ((resolveReady = res), (rejectReady = rej)));
    lines.on('line', (l) => {
      let event: { event?: string; name?: string; pid?: number };
      try {
        event = JSON.parse(l) as typeof event;
      } catch {
        return log(`unexpected output from the namespace side: ${l.slice(0, 200)}`);
      }
      if (event.event === 'pid' && event.pid) this.pids.set(event.pid, event.name ?? '?');
      if (event.event === 'ready') resolveReady({ ...(event as HarnessReady), processes: [...this.pids].map(([pid, name]) => ({ name, pid })) });
    });
    this.exited = new Promise((resolve) => {
      child.once('error', (e) => log(`unshare failed to start: ${e.message}`));
      child.once('close', (code, signal) => {
        rejectReady(new Error(`the harness ended before ModemManager listed the modem (${signal ?? `code ${code}`}); see the messages above`));
        this.cleanUp();
        resolve(this.stopping && signal === null ? (code ?? 1) : code === 0 ? 0 : 1);
      });
    });
  }

  static start(opts: HarnessOptions): ModemManagerHarness {
    const missing = missingPrerequisite();
    if (missing) throw new Error(`--with-modemmanager ${missing}`);
    takeLock();
    const dir = mkdtempSync(join(tmpdir(), 'wwan-mm-'));
    const config: InsideConfig = {
      dir,
      profile: opts.profile,
      modems: opts.modems,
      seed: opts.seed,
      pinLocked: opts.pinLocked ?? false,
      personalization: opts.personalization ?? [],
      modemManagerLog: opts.modemManagerLog ?? join(dir, 'modemmanager.log'),
    };
    const child = spawn('unshare', ['--mount', '--net', '--propagation', 'private', process.execPath, ...insideCommand(), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new ModemManagerHarness(child, dir, opts.log);
  }

  /** Ends the namespace side (SIGTERM; SIGKILL after 10 s) and waits until everything is removed. */
  async stop(): Promise<number> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      void this.exited.then(() => clearTimeout(t));
    }
    return this.exited;
  }

  /** Whatever the namespace side left running (it was killed) goes by PID; then the folder and the lock. */
  private cleanUp(): void {
    for (const [pid, name] of this.pids) {
      if (!alive(pid)) continue;
      this.log(`stopping leftover ${name} (pid ${pid})`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    try {
      if (readFileSync(LOCK, 'utf8') === String(process.pid)) rmSync(LOCK);
    } catch {
      // No lock (another harness removed a stale one).
    }
  }
}
