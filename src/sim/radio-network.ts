/**
 * The simulated radio network: operators (PLMNs with names, access technologies and bands, one of them
 * forbidden), their cells, and the modem's radio side on top of it: mode and band preferences,
 * automatic or manual network selection (refusable with a 3GPP cause), and scans that take time.
 * Front-ends read the registration and cells from here; every change is an event.
 */
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../mux/framing.js';
import type { Bands, Operator, Rat, Signal } from './firmware.js';

/** A radio's bands: `Bands` plus 5G NR by band number. */
export interface RadioBands extends Bands {
  nr: number[];
}

export interface NetworkOperator extends Operator {
  /** The access technologies it runs. */
  rats: Rat[];
  bands: RadioBands;
  /** On the SIM's forbidden list: manual registration is refused with `rejectCause`. */
  forbidden?: boolean;
  /** The 3GPP EMM/MM cause a refused registration gets (TS 24.301 / 24.008: 11 PLMN not allowed). */
  rejectCause?: number;
}

export interface Cell {
  mcc: string;
  mnc: string;
  rat: Rat;
  /** E-UTRA ECI (28 bits), NR cell id, UTRA cell id or GSM cell id. */
  cellId: number;
  /** TAC for LTE and NR, LAC for UMTS and GSM. */
  areaCode: number;
  /** EARFCN, NR-ARFCN, UARFCN or ARFCN (downlink). */
  arfcn: number;
  /** 3GPP band number (GSM by MHz: 900, 1800...). */
  band: number;
  /** PCI (LTE/NR), primary scrambling code (UMTS) or BSIC (GSM). */
  pci: number;
  signal: Signal;
}

export interface RadioPreferences {
  /** Technologies the modem may use. */
  allowed: Rat[];
  /** The one it prefers among those, if any (otherwise the newest). */
  preferred?: Rat;
  bands: RadioBands;
}

export type NetworkSelection = { mode: 'automatic' } | { mode: 'manual'; mcc: string; mnc: string; rat?: Rat };

export interface Registration {
  operator: NetworkOperator;
  rat: Rat;
  cell: Cell;
}

export type ScanStatus = 'current' | 'available' | 'forbidden';
export interface ScanResult {
  operator: NetworkOperator;
  rat: Rat;
  status: ScanStatus;
  home: boolean;
}

export class ScanAbortedError extends Error {
  override readonly name = 'ScanAbortedError';
}

/** Why a registration request was refused: no such network, or the network's 3GPP cause. */
export class RegistrationRefused extends Error {
  override readonly name = 'RegistrationRefused';
  constructor(readonly cause3gpp: number | 'not-found', message: string) {
    super(message);
  }
}

export interface RadioEvents {
  /** The registered network, technology or cell changed (or registration was lost or refused). */
  registration: [];
  preferences: [RadioPreferences];
  scan: ['started' | 'done' | 'aborted'];
}

/** Newest first: automatic selection takes the first one allowed. */
const RAT_ORDER: Rat[] = ['5gnr', 'lte', 'umts', 'gsm'];

/** Downlink channel numbers per band (TS 36.101 / 38.101 / 25.101 / 45.005): a mid-band one. */
const EARFCN: Record<number, number> = { 1: 300, 3: 1575, 7: 3100, 8: 3625, 20: 6300, 28: 9435 };
const NR_ARFCN: Record<number, number> = { 1: 427970, 3: 368500, 28: 154570, 78: 636666 };
const UARFCN: Record<number, number> = { 1: 10700, 8: 3012 };
const ARFCN: Record<number, number> = { 900: 62, 1800: 700, 850: 190, 1900: 600 };

const bandsOf = (b: RadioBands, rat: Rat): number[] => (rat === 'lte' ? b.eutra : rat === '5gnr' ? b.nr : rat === 'umts' ? b.utra : b.gsm);
const arfcnOf = (rat: Rat, band: number): number =>
  (rat === 'lte' ? EARFCN : rat === '5gnr' ? NR_ARFCN : rat === 'umts' ? UARFCN : ARFCN)[band] ?? 0;

/**
 * The default network around a home operator: the home PLMN on every technology the modem has,
 * two other operators with fewer technologies and bands (national roaming), and a forbidden one.
 */
export function defaultOperators(home: Operator, homeRats: Rat[]): NetworkOperator[] {
  const mcc = home.mcc;
  const other = (mnc: string): string => (mnc === home.mnc ? `${mnc.slice(0, -1)}9` : mnc);
  return [
    { ...home, rats: homeRats, bands: { gsm: [900, 1800], utra: [1, 8], eutra: [1, 3, 7, 20], nr: [78] } },
    { mcc, mnc: other('02'), name: 'Northwind Mobile', rats: ['lte', 'umts'], bands: { gsm: [], utra: [1], eutra: [3, 20, 28], nr: [] } },
    { mcc, mnc: other('03'), name: 'Globex Telecom', rats: ['umts', 'gsm'], bands: { gsm: [900], utra: [8], eutra: [], nr: [] } },
    { mcc, mnc: other('04'), name: 'Initech Wireless', rats: ['lte'], bands: { gsm: [], utra: [], eutra: [7], nr: [] }, forbidden: true, rejectCause: 11 },
  ];
}

/** Cells: per operator, technology and band, one strong cell and a weaker neighbour, ids from the PLMN. */
export function cellsOf(operators: NetworkOperator[]): Cell[] {
  const cells: Cell[] = [];
  operators.forEach((op, o) => {
    for (const rat of op.rats) {
      bandsOf(op.bands, rat).forEach((band, b) => {
        for (let k = 0; k < 2; k++) {
          const n = o * 64 + RAT_ORDER.indexOf(rat) * 16 + b * 2 + k;
          const level = -4 * o - 6 * b - 9 * k;
          cells.push({
            mcc: op.mcc,
            mnc: op.mnc,
            rat,
            cellId: rat === 'lte' || rat === '5gnr' ? 0x01a2b00 + n : 0x1000 + n,
            areaCode: rat === 'lte' || rat === '5gnr' ? 0x5678 + o : 0x1234 + o,
            arfcn: arfcnOf(rat, band),
            band,
            pci: rat === 'gsm' ? (n % 64) : rat === 'umts' ? (n * 7) % 512 : (n * 3 + 17) % 504,
            signal: { rssi: -65 + level, rsrp: -95 + level, rsrq: -9 - k, snr: 12.5 + level / 2 },
          });
        }
      });
    }
  });
  return cells;
}

const plmnOf = (o: { mcc: string; mnc: string }): string => o.mcc + o.mnc;

export interface RadioConfig {
  operators: NetworkOperator[];
  /** The SIM's home PLMN. */
  home: { mcc: string; mnc: string };
  /** What the modem's radio has; the preferences start as all of it. */
  capabilities: RadioPreferences;
  /** The technology it registers on by default, if allowed and offered. */
  preferred?: Rat;
  /** How long a network scan takes (real modems: tens of seconds). */
  scanMs?: number;
  clock?: Clock;
}

export class RadioNetwork extends EventEmitter<RadioEvents> {
  readonly operators: NetworkOperator[];
  readonly cells: Cell[];
  readonly capabilities: RadioPreferences;
  preferences: RadioPreferences;
  selection: NetworkSelection = { mode: 'automatic' };
  /** The cause of the last refused manual registration, while that selection stands. */
  rejectCause: number | undefined;
  private current: Registration | undefined;
  private scanning: { timer: TimerHandle; reject: (e: Error) => void } | undefined;
  private readonly clock: Clock;
  private readonly scanMs: number;
  private readonly home: string;

  constructor(config: RadioConfig) {
    super();
    this.operators = config.operators;
    this.cells = cellsOf(config.operators);
    this.capabilities = config.capabilities;
    this.preferences = { ...config.capabilities, ...(config.preferred ? { preferred: config.preferred } : {}) };
    this.clock = config.clock ?? systemClock;
    this.scanMs = config.scanMs ?? 20_000;
    this.home = plmnOf(config.home);
    this.current = this.select();
  }

  get registration(): Registration | undefined {
    return this.current;
  }

  isHome(op: { mcc: string; mnc: string }): boolean {
    return plmnOf(op) === this.home;
  }

  /** The best cell of an operator on a technology within the preferred bands. */
  private bestCell(op: NetworkOperator, rat: Rat): Cell | undefined {
    const allowed = bandsOf(this.preferences.bands, rat);
    const mine = bandsOf(this.capabilities.bands, rat);
    return this.cells
      .filter((c) => plmnOf(c) === plmnOf(op) && c.rat === rat && allowed.includes(c.band) && mine.includes(c.band))
      .sort((a, b) => b.signal.rsrp - a.signal.rsrp)[0];
  }

  /** Technologies in the order the modem tries them: the preferred one, then newest first. */
  private ratOrder(): Rat[] {
    const allowed = RAT_ORDER.filter((r) => this.preferences.allowed.includes(r) && this.capabilities.allowed.includes(r));
    const p = this.preferences.preferred;
    return p && allowed.includes(p) ? [p, ...allowed.filter((r) => r !== p)] : allowed;
  }

  private on1(op: NetworkOperator, rat?: Rat): Registration | undefined {
    for (const r of rat ? [rat] : this.ratOrder()) {
      if (!op.rats.includes(r) || !this.ratOrder().includes(r)) continue;
      const cell = this.bestCell(op, r);
      if (cell) return { operator: op, rat: r, cell };
    }
    return undefined;
  }

  /** What the modem registers on now: the manual choice, else home first, then any allowed network. */
  private select(): Registration | undefined {
    const sel = this.selection;
    if (sel.mode === 'manual') {
      const op = this.operators.find((o) => o.mcc === sel.mcc && o.mnc === sel.mnc);
      return op && !op.forbidden ? this.on1(op, sel.rat) : undefined;
    }
    const ordered = [...this.operators.filter((o) => this.isHome(o)), ...this.operators.filter((o) => !this.isHome(o))];
    for (const op of ordered) {
      if (op.forbidden) continue;
      const r = this.on1(op);
      if (r) return r;
    }
    return undefined;
  }

  /** Selects again; `causeCleared` says a refusal no longer stands, which changes the state by itself. */
  private reselect(causeCleared = false): void {
    const next = this.select();
    const was = this.current;
    this.current = next;
    if (causeCleared || was?.operator !== next?.operator || was?.rat !== next?.rat || was?.cell !== next?.cell) this.emit('registration');
  }

  /** Clears a standing refusal; true if there was one. */
  private clearRefusal(): boolean {
    const had = this.rejectCause !== undefined;
    this.rejectCause = undefined;
    return had;
  }

  /** Sets the allowed and preferred technologies and the bands; the modem reselects at once. */
  setPreferences(change: Partial<RadioPreferences>): RadioPreferences {
    const next: RadioPreferences = { ...this.preferences, ...change };
    if ('preferred' in change && change.preferred === undefined) delete next.preferred;
    if (next.allowed.length === 0) throw new RangeError('at least one access technology must be allowed');
    this.preferences = next;
    this.emit('preferences', next);
    this.reselect();
    return next;
  }

  /**
   * Registers in an operator (optionally on one technology) or automatically. A forbidden network
   * refuses with its cause (and the modem stays deregistered in manual mode, as 3GPP has it);
   * an unknown one or one without a usable cell is not found.
   */
  register(sel: NetworkSelection): Registration {
    if (sel.mode === 'automatic') {
      this.selection = sel;
      this.reselect(this.clearRefusal());
      if (!this.current) throw new RegistrationRefused('not-found', 'no allowed network has a cell in the allowed modes and bands');
      return this.current;
    }
    const op = this.operators.find((o) => o.mcc === sel.mcc && o.mnc === sel.mnc);
    if (!op) throw new RegistrationRefused('not-found', `no network ${sel.mcc}${sel.mnc} in range`);
    this.selection = sel;
    if (op.forbidden) {
      this.rejectCause = op.rejectCause ?? 11;
      this.current = undefined;
      this.emit('registration');
      throw new RegistrationRefused(this.rejectCause, `${op.name} (${plmnOf(op)}) refused the registration: cause #${this.rejectCause}`);
    }
    this.reselect(this.clearRefusal());
    if (!this.current) throw new RegistrationRefused(15, `${op.name} has no cell in the allowed modes and bands`); // 15: no suitable cells
    return this.current;
  }

  /** What a scan finds: every operator on every technology the modem may use and has a band for. */
  private scanResults(): ScanResult[] {
    const out: ScanResult[] = [];
    for (const op of this.operators) {
      for (const rat of this.ratOrder()) {
        if (!op.rats.includes(rat) || !this.bestCell(op, rat)) continue;
        const current = this.current?.operator === op && this.current.rat === rat;
        out.push({ operator: op, rat, status: current ? 'current' : op.forbidden ? 'forbidden' : 'available', home: this.isHome(op) });
      }
    }
    return out;
  }

  /** A network scan: results after `scanMs` on the clock; a second scan meanwhile joins the first. */
  scan(): Promise<ScanResult[]> {
    if (this.scanning) return this.pendingScan!;
    this.emit('scan', 'started');
    this.pendingScan = new Promise<ScanResult[]>((resolve, reject) => {
      const timer = this.clock.setTimer(this.scanMs, () => {
        this.scanning = undefined;
        this.pendingScan = undefined;
        this.emit('scan', 'done');
        resolve(this.scanResults());
      });
      this.scanning = { timer, reject };
    });
    return this.pendingScan;
  }
  private pendingScan: Promise<ScanResult[]> | undefined;

  get scanInProgress(): boolean {
    return this.scanning !== undefined;
  }

  /** Ends a scan early (a reset, the radio switched off): its caller gets a ScanAbortedError. */
  abortScan(why: string): void {
    const s = this.scanning;
    if (!s) return;
    this.clock.clearTimer(s.timer);
    this.scanning = undefined;
    this.pendingScan = undefined;
    this.emit('scan', 'aborted');
    s.reject(new ScanAbortedError(`the scan was aborted: ${why}`));
  }

  /** The serving cell and its neighbours (the other cells of the technology the modem is on). */
  cellInfo(): { serving: Cell; neighbours: Cell[] } | undefined {
    const r = this.current;
    if (!r) return undefined;
    return { serving: r.cell, neighbours: this.cells.filter((c) => c !== r.cell && c.rat === r.rat) };
  }
}
