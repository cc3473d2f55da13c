/**
 * MBIM in the device role, on the same declarations the host uses. Every host connection (the pty,
 * unix-socket clients, mbim-proxy clients) is its own MBIM session: it must OPEN before COMMANDs,
 * keeps its own transaction ids, fragments and negotiated transfer size, and gets the notifications it
 * subscribed to. Handlers answer with response values or throw MbimCommandFailure for a status.
 */
import { MbimFramer } from '../mbim/framer.js';
import { COMMAND_HEADER_SIZE, decodeFragment, encodeFragments, type MbimMessage, type MbimMessageOf } from '../mbim/message.js';
import { DEFAULT_MAX_CONTROL_TRANSFER, MbimProtocolError, MbimStatus, QUERY, SET, protocolErrorName, statusName, type MbimCommandType } from '../mbim/protocol.js';
import { Reassembler } from '../mbim/reassembly.js';
import { decodeBuffer, type Layout } from '../mbim/schema.js';
import type { CidDef, NotificationOf, QueryOf, ResponseOf, SetOf } from '../mbim/service.js';
import type { Transport } from '../transport/types.js';
import type { OutboundFault } from './qmi-hub.js';

/** A command refused with a status; `values` fill the response buffer some refusals carry (Pin, Connect). */
export class MbimCommandFailure extends Error {
  override readonly name = 'MbimCommandFailure';
  constructor(
    readonly status: number,
    readonly values?: object,
  ) {
    super(statusName(status));
  }
}

export interface MbimRequestContext {
  connection: MbimConnection;
  transactionId: number;
}

type Handler = (values: unknown, ctx: MbimRequestContext) => unknown;
type Registered = { def: CidDef; layout: Layout; fn: Handler };
type AllOf<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** One CID's declarations by MBIMEx version (MBIM 1.0's first): a handler answers with the values of all of them. */
type Versions = readonly (CidDef & { response: Layout })[];
type AllResponses<D extends Versions> = AllOf<ResponseOf<D[number]>>;

export interface MbimEndpointOptions {
  /** The function's wMaxControlMessage: the most it accepts per fragment and sends per fragment. */
  maxControlTransfer?: number;
  log?: (line: string) => void;
  /** Every message or fragment in and out. */
  trace?: (direction: 'rx' | 'tx', bytes: Uint8Array) => void;
}

/** One host connection: its OPEN state, transfer size, fragments in progress and subscriptions. */
export class MbimConnection {
  opened = false;
  maxTransfer = DEFAULT_MAX_CONTROL_TRANSFER;
  /** The MBIMEx version agreed with this host ((major << 8) | minor): which layouts its messages get. */
  mbimex = 0x0100;
  /** Service UUID → CIDs (empty: all of them); undefined until the host sets a list: then all but QMI. */
  subscriptions: Map<string, Set<number>> | undefined;
  readonly inFlight = new Set<number>();
  readonly reassembler = new Reassembler();
  reassemblyTimer: NodeJS.Timeout | undefined;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    readonly id: number,
    readonly transport: Transport,
  ) {
    transport.onClose(() => {
      clearTimeout(this.reassemblyTimer);
      for (const l of this.closeListeners.splice(0)) l();
    });
  }

  get closed(): boolean {
    return this.transport.closed;
  }

  onClose(listener: () => void): void {
    if (this.closed) queueMicrotask(listener);
    else this.closeListeners.push(listener);
  }

  /** Whether this connection gets notifications of (service, cid). */
  wants(service: string, cid: number, byDefault: boolean): boolean {
    if (!this.opened) return false;
    if (!this.subscriptions) return byDefault;
    const cids = this.subscriptions.get(service);
    return cids !== undefined && (cids.size === 0 || cids.has(cid));
  }
}

/** Of a CID's declarations (oldest first), the newest a host that agreed on `mbimex` has. */
function newestFor<D extends CidDef>(defs: readonly D[], mbimex: number): D {
  return defs.findLast((d) => d.mbimex << 8 <= mbimex) ?? defs[0]!;
}

export class MbimDeviceEndpoint {
  readonly stats = { commands: 0, functionErrors: 0, hostErrors: 0, dropped: 0 };
  /** A fault hook on every message to the host: false drops it, a number delays it (ms). */
  outboundFault: OutboundFault | undefined;
  /** Services whose notifications go only to connections that subscribed (QMI, as libqmi subscribes). */
  readonly optInServices = new Set<string>();
  /** By service, CID and command type: one entry per MBIMEx version declared, oldest first. */
  private readonly handlers = new Map<string, Registered[]>();
  private readonly connections = new Set<MbimConnection>();
  private nextId = 1;
  private readonly maxTransfer: number;

  constructor(private readonly options: MbimEndpointOptions = {}) {
    this.maxTransfer = options.maxControlTransfer ?? DEFAULT_MAX_CONTROL_TRANSFER;
  }

  query<C extends CidDef & { query: Layout; response: Layout }>(def: C, fn: (values: QueryOf<C>, ctx: MbimRequestContext) => ResponseOf<C> | Promise<ResponseOf<C>>): this {
    return this.register(def, QUERY, def.query, fn as Handler);
  }

  set<C extends CidDef & { set: Layout; response: Layout }>(def: C, fn: (values: SetOf<C>, ctx: MbimRequestContext) => ResponseOf<C> | Promise<ResponseOf<C>>): this {
    return this.register(def, SET, def.set, fn as Handler);
  }

  /** A query whose layouts changed with MBIMEx: each host gets the newest its agreed version has. */
  queryVersions<const D extends readonly (CidDef & { query: Layout; response: Layout })[]>(
    defs: D,
    fn: (values: QueryOf<D[number]>, ctx: MbimRequestContext) => AllResponses<D> | Promise<AllResponses<D>>,
  ): this {
    for (const d of defs) this.register(d, QUERY, d.query, fn as Handler);
    return this;
  }

  setVersions<const D extends readonly (CidDef & { set: Layout; response: Layout })[]>(
    defs: D,
    fn: (values: SetOf<D[number]>, ctx: MbimRequestContext) => AllResponses<D> | Promise<AllResponses<D>>,
  ): this {
    for (const d of defs) this.register(d, SET, d.set, fn as Handler);
    return this;
  }

  /**
   * The CIDs some handler answers, by service UUID in the order first registered: what Device Services
   * lists, so the list cannot drift from the handlers. A CID declared only for a later MBIMEx than
   * `mbimex` (the function's own) is left out: such a function does not know it.
   */
  answeredCids(mbimex: number): Map<string, number[]> {
    const out = new Map<string, Set<number>>();
    for (const versions of this.handlers.values()) {
      const { def } = versions[0]!;
      if (def.mbimex << 8 > mbimex) continue;
      const cids = out.get(def.service.uuid) ?? new Set<number>();
      out.set(def.service.uuid, cids.add(def.id));
    }
    return new Map([...out].map(([uuid, cids]) => [uuid, [...cids].sort((a, b) => a - b)]));
  }

  /** A host connection: its bytes are MBIM messages from now on. */
  attach(transport: Transport): MbimConnection {
    const conn = new MbimConnection(this.nextId++, transport);
    this.connections.add(conn);
    const framer = new MbimFramer({
      message: (bytes) => this.receive(conn, bytes),
      drop: (reason, n) => this.options.log?.(`skipped ${n} byte(s) that are not MBIM from ${transport.description}: ${reason}`),
    });
    transport.onData((chunk) => framer.push(chunk));
    conn.onClose(() => this.connections.delete(conn));
    return conn;
  }

  /** A notification to every opened connection that wants it. */
  indicate<C extends CidDef & { notification: Layout }>(def: C, values: NotificationOf<C>): void {
    this.indicateVersions([def], values);
  }

  /** A notification whose layout changed with MBIMEx: each connection gets it in its agreed version's. */
  indicateVersions<const D extends readonly (CidDef & { notification: Layout })[]>(defs: D, values: AllOf<NotificationOf<D[number]>>): void {
    const first = defs[0]!;
    const byDefault = !this.optInServices.has(first.service.uuid);
    const buffers = new Map<CidDef, Uint8Array>();
    for (const c of this.connections) {
      if (!c.wants(first.service.uuid, first.id, byDefault)) continue;
      const def = newestFor(defs, c.mbimex);
      let buffer = buffers.get(def);
      if (!buffer) buffers.set(def, (buffer = def.notification.encode(values as never)));
      this.send(c, { type: 'indicateStatus', transactionId: 0, service: def.service.uuid, cid: def.id, buffer });
    }
  }

  /** A notification to one connection, if it wants it. */
  indicateTo<C extends CidDef & { notification: Layout }>(conn: MbimConnection, def: C, values: NotificationOf<C>): void {
    if (!conn.wants(def.service.uuid, def.id, !this.optInServices.has(def.service.uuid))) return;
    this.send(conn, { type: 'indicateStatus', transactionId: 0, service: def.service.uuid, cid: def.id, buffer: def.notification.encode(values as never) });
  }

  /** Host connections that have the function open. */
  get openConnections(): number {
    return [...this.connections].filter((c) => c.opened && !c.closed).length;
  }

  /** Raw bytes to every connection (fault injection). */
  inject(bytes: Uint8Array): void {
    for (const c of this.connections) if (!c.closed) c.transport.write(bytes);
  }

  /** A function reset: every session must OPEN again; subscriptions are gone. */
  reset(): void {
    for (const c of this.connections) {
      c.opened = false;
      c.subscriptions = undefined;
      c.mbimex = 0x0100;
      c.inFlight.clear();
      c.reassembler.reset();
    }
  }

  private register(def: CidDef, commandType: MbimCommandType, layout: Layout, fn: Handler): this {
    const key = `${def.service.uuid}:${def.id}:${commandType}`;
    const versions = [...(this.handlers.get(key) ?? []).filter((h) => h.def.mbimex !== def.mbimex), { def, layout, fn }];
    this.handlers.set(key, versions.sort((a, b) => a.def.mbimex - b.def.mbimex));
    return this;
  }

  private receive(conn: MbimConnection, bytes: Uint8Array): void {
    this.options.trace?.('rx', bytes);
    const tid = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
    if (bytes.length > this.maxTransfer) return this.functionError(conn, tid, MbimProtocolError.MaxTransfer, `${bytes.length} bytes exceed the ${this.maxTransfer} the function takes`);
    const d = decodeFragment(bytes);
    if (!d.ok) return this.functionError(conn, tid, MbimProtocolError.LengthMismatch, d.error.message);
    if ('message' in d.value) return this.dispatch(conn, d.value.message);
    if (d.value.fragment.type !== 'command') return this.functionError(conn, tid, MbimProtocolError.Unknown, `a host does not send ${d.value.fragment.type}`);
    const r = conn.reassembler.push(d.value.fragment, Date.now());
    this.armReassemblyTimer(conn);
    if (r.kind === 'message') this.dispatch(conn, r.message);
    else if (r.kind === 'error') this.functionError(conn, r.transactionId, r.error, r.reason);
  }

  private armReassemblyTimer(conn: MbimConnection): void {
    clearTimeout(conn.reassemblyTimer);
    const deadline = conn.reassembler.deadline;
    if (deadline === undefined) return;
    conn.reassemblyTimer = setTimeout(() => {
      const r = conn.reassembler.expire(Date.now());
      if (r?.kind === 'error') this.functionError(conn, r.transactionId, r.error, r.reason);
      else this.armReassemblyTimer(conn);
    }, Math.max(0, deadline - Date.now()) + 1);
  }

  private dispatch(conn: MbimConnection, m: MbimMessage): void {
    const transactionId = m.transactionId;
    switch (m.type) {
      case 'open': {
        // Our fragments must fit what the host reads and what the function sends.
        const ok = m.maxControlTransfer >= COMMAND_HEADER_SIZE;
        if (ok) {
          conn.maxTransfer = Math.min(m.maxControlTransfer, this.maxTransfer);
          conn.opened = true;
          conn.subscriptions = undefined;
          conn.mbimex = 0x0100;
        }
        return this.send(conn, { type: 'openDone', transactionId, status: ok ? MbimStatus.None : MbimStatus.Failure });
      }
      case 'close':
        conn.opened = false;
        return this.send(conn, { type: 'closeDone', transactionId, status: MbimStatus.None });
      case 'command':
        if (!conn.opened) return this.functionError(conn, transactionId, MbimProtocolError.NotOpened, 'COMMAND before OPEN');
        if (conn.inFlight.has(transactionId)) return this.functionError(conn, transactionId, MbimProtocolError.DuplicatedTid, `transaction ${transactionId} is still being answered`);
        conn.inFlight.add(transactionId);
        this.command(conn, m).then(
          (done) => {
            // A CLOSE, reset or hang-up meanwhile ends the session the answer belonged to.
            if (!conn.inFlight.delete(transactionId) || !conn.opened) return;
            this.send(conn, done);
          },
          (e: unknown) => this.options.log?.(`failed to answer transaction ${transactionId}: ${(e as Error).message}`),
        );
        return;
      case 'hostError':
        this.stats.hostErrors++;
        this.options.log?.(`host reported ${protocolErrorName(m.error)} for transaction ${transactionId}`);
        return;
      default:
        return this.functionError(conn, transactionId, MbimProtocolError.Unknown, `a host does not send ${m.type}`);
    }
  }

  private async command(conn: MbimConnection, m: MbimMessageOf<'command'>): Promise<MbimMessageOf<'commandDone'>> {
    this.stats.commands++;
    const done = (status: number, buffer: Uint8Array = new Uint8Array(0)): MbimMessageOf<'commandDone'> => ({ type: 'commandDone', transactionId: m.transactionId, service: m.service, cid: m.cid, status, buffer });
    const versions = this.handlers.get(`${m.service}:${m.cid}:${m.commandType}`);
    const h = versions?.find((v) => v.def === newestFor(versions.map((x) => x.def), conn.mbimex));
    if (!h) {
      this.options.log?.(`no handler for ${m.commandType === SET ? 'set' : 'query'} ${m.service} CID ${m.cid}: answering NoDeviceSupport`);
      return done(MbimStatus.NoDeviceSupport);
    }
    const what = `${h.def.service.name} ${h.def.name}`;
    const req = decodeBuffer(h.layout, m.buffer);
    if (!req.ok) {
      this.options.log?.(`malformed ${what} request: ${req.error.message}`);
      return done(MbimStatus.InvalidParameters);
    }
    const response = h.def.response!;
    try {
      return done(MbimStatus.None, response.encode((await h.fn(req.value, { connection: conn, transactionId: m.transactionId })) as never));
    } catch (e) {
      if (e instanceof MbimCommandFailure) return done(e.status, e.values ? response.encode(e.values as never) : undefined);
      // A handler bug must not take the modem down: answer Failure, as firmware does.
      this.options.log?.(`handler for ${what} failed: ${(e as Error).message}`);
      return done(MbimStatus.Failure);
    }
  }

  private functionError(conn: MbimConnection, transactionId: number, error: number, reason: string): void {
    this.stats.functionErrors++;
    this.options.log?.(`FUNCTION_ERROR ${protocolErrorName(error)} to ${conn.transport.description} (transaction ${transactionId}): ${reason}`);
    this.send(conn, { type: 'functionError', transactionId, error });
  }

  private send(conn: MbimConnection, m: MbimMessage): void {
    if (conn.closed) return;
    const fragments = encodeFragments(m, conn.maxTransfer);
    const fault = this.outboundFault?.(fragments[0]!);
    if (fault === false) {
      this.stats.dropped++;
      return;
    }
    const write = (): void => {
      if (conn.closed) return;
      for (const f of fragments) {
        this.options.trace?.('tx', f);
        conn.transport.write(f);
      }
    };
    if (typeof fault === 'number' && fault > 0) setTimeout(write, fault);
    else write();
  }
}
