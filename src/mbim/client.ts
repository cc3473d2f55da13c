/**
 * The MBIM client: an MbimDevice owns a control transport, opens the function with OPEN, matches
 * *_DONE and FUNCTION_ERROR to requests by transaction id (as libmbim 1.28 does: service and CID are
 * not checked), reassembles fragments, and hands INDICATE_STATUS to listeners. A modem that forgot the
 * session (FUNCTION_ERROR NotOpened) is re-opened and the command resent once; a response whose
 * fragments break the rules gets a HOST_ERROR and the command is resent once.
 */
import type { Transport } from '../transport/types.js';
import { DecodeError } from '../wire/errors.js';
import type { RequestMeter } from '../wire/request-meter.js';
import { MbimFramer } from './framer.js';
import { decodeFragment, encodeFragments, type MbimMessage, type MbimMessageOf } from './message.js';
import {
  DEFAULT_MAX_CONTROL_TRANSFER,
  MbimProtocolError,
  MbimProtocolErrorResponse,
  MbimStatusError,
  QUERY,
  SET,
  protocolErrorName,
  type MbimCommandType,
} from './protocol.js';
import { Reassembler } from './reassembly.js';
import { decodeBuffer, type Layout } from './schema.js';
import type { CidDef, NotificationOf, QueryOf, ResponseOf, SetOf } from './service.js';
import { basicConnect } from './services/basic-connect.js';
import { msBasicConnectExtensions } from './services/ms-basic-connect-extensions.js';
import { proxyControl } from './services/proxy-control.js';
import { Subscriptions, type Subscription } from './subscriptions.js';

/** An MBIM command got no answer in time. */
export class MbimTimeoutError extends Error {
  override readonly name = 'MbimTimeoutError';
}
/** The MBIM device was closed while a command waited. */
export class MbimClosedError extends Error {
  override readonly name = 'MbimClosedError';
}
/** The response's information buffer does not decode as its declaration says. */
export class MbimResponseError extends Error {
  override readonly name = 'MbimResponseError';
  constructor(
    message: string,
    override readonly cause: DecodeError,
  ) {
    super(message);
  }
}

/** Limits and timeouts of an MBIM device. */
export interface MbimDeviceOptions {
  /** What OPEN asks for; also the size we split our own messages to. */
  maxControlTransfer?: number;
  /** Default command timeout (mbimcli: 10 s for queries). */
  timeoutMs?: number;
  /** Human-readable diagnostics. Never given secrets: it sees summaries, not buffers. */
  log?: (line: string) => void;
  /** Every message or fragment as it goes out or comes in, for captures. */
  trace?: (direction: 'tx' | 'rx', bytes: Uint8Array) => void;
  /** Told when each typed command ends (metrics). */
  meter?: RequestMeter;
}

export interface MbimOpenOptions extends MbimDeviceOptions {
  /** Talking to mbim-proxy: the device it should open, sent as Proxy Control Configuration first. */
  proxy?: { devicePath: string; timeoutSeconds?: number };
  /** Skip OPEN (mbimcli --no-open=TRID): the session is already open, go on from this transaction id. */
  noOpen?: { transactionId: number };
  /** Overall OPEN deadline (libmbim: 30 s), each attempt waiting `openRetryMs` (5 s). */
  openTimeoutMs?: number;
  openRetryMs?: number;
  /**
   * Ask for Microsoft's MBIMEx 2.0 or 3.0 after OPEN (mbimcli --device-open-ms-mbimex-v2/v3): when Device
   * Services lists MS Basic Connect Extensions' Version, send it; the version the function answers is
   * the one used (`mbimex`).
   */
  mbimex?: 2 | 3;
}

export interface CommandRequest {
  service: string;
  cid: number;
  commandType: MbimCommandType;
  buffer: Uint8Array;
}

interface Pending {
  /** The *_DONE type that answers it. */
  answer: MbimMessage['type'];
  resolve: (m: MbimMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface MbimDeviceStats {
  sent: number;
  received: number;
  unmatched: number;
  undecodable: number;
  indications: number;
  hostErrors: number;
}

const hex2 = (v: number): string => (v & 0xff).toString(16).padStart(2, '0');

const describeCid = (def: CidDef): string => `${def.service.name} ${def.name} (${def.id})`;

/** An MBIM control port: opens the function, sends commands, reassembles answers, routes notifications. */
export class MbimDevice {
  readonly stats: MbimDeviceStats = { sent: 0, received: 0, unmatched: 0, undecodable: 0, indications: 0, hostErrors: 0 };
  /** The transaction id the next message will use. */
  nextTransactionId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly indicationListeners: ((m: MbimMessageOf<'indicateStatus'>) => void)[] = [];
  private readonly closeListeners: ((error?: Error) => void)[] = [];
  private readonly framer: MbimFramer;
  private readonly reassembler = new Reassembler();
  private reassemblyTimer: NodeJS.Timeout | undefined;
  private closedError: Error | undefined;
  private readonly timeoutMs: number;
  readonly maxControlTransfer: number;
  private reopening: Promise<void> | undefined;
  /** Notifications asked for on top of the standard ones (subscribe()). */
  private readonly subscriptions = new Subscriptions();
  /** The MBIMEx version agreed on open, as (major << 8) | minor: 0x0100 (MBIM 1.0 layouts) unless one was asked for. */
  mbimex = 0x0100;

  constructor(
    readonly transport: Transport,
    private readonly options: MbimDeviceOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxControlTransfer = options.maxControlTransfer ?? DEFAULT_MAX_CONTROL_TRANSFER;
    this.framer = new MbimFramer({
      message: (bytes) => this.receive(bytes),
      drop: (reason, n) => options.log?.(`skipped ${n} bytes that are not MBIM: ${reason}`),
    });
    transport.onData((chunk) => this.framer.push(chunk));
    transport.onClose((err) => this.shutdown(new MbimClosedError(`${transport.description} closed${err ? `: ${err.message}` : ''}`), err));
  }

  /** Opens the function (or a proxy's), ready for commands. */
  static async open(transport: Transport, opts: MbimOpenOptions = {}): Promise<MbimDevice> {
    const dev = new MbimDevice(transport, opts);
    try {
      if (opts.noOpen) dev.nextTransactionId = opts.noOpen.transactionId;
      if (opts.proxy) {
        // libmbim does not look at this status either: a proxy that could not open says so on OPEN.
        await dev.command({
          service: proxyControl.uuid,
          cid: proxyControl.cids.configuration.id,
          commandType: SET,
          buffer: proxyControl.cids.configuration.set.encode({ devicePath: opts.proxy.devicePath, timeout: opts.proxy.timeoutSeconds ?? 30 }),
        });
      }
      if (!opts.noOpen) await dev.sendOpen(opts.openTimeoutMs ?? 30_000, opts.openRetryMs ?? 5_000);
      if (opts.mbimex) await dev.negotiateMbimex(opts.mbimex);
    } catch (e) {
      await transport.close();
      throw e;
    }
    return dev;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Whether the agreed MBIMEx version is at least major.minor (libmbim's mbim_device_check_ms_mbimex_version). */
  mbimexAtLeast(major: number, minor = 0): boolean {
    return this.mbimex >= ((major << 8) | minor);
  }

  /** Of a CID's declarations (MBIM 1.0's and its MBIMEx revisions), the newest the agreed version has. */
  pick<C extends CidDef>(...defs: C[]): C {
    return defs.filter((d) => this.mbimexAtLeast(d.mbimex)).reduce((a, d) => (d.mbimex > a.mbimex ? d : a));
  }

  private async negotiateMbimex(major: 2 | 3): Promise<void> {
    const ext = msBasicConnectExtensions.cids.version;
    const services = await this.query(basicConnect.cids.deviceServices);
    if (services.deviceServices.length === 0) throw new Error('No supported services reported by the modem');
    const offered = services.deviceServices.some((s) => s.deviceServiceId === msBasicConnectExtensions.uuid && s.cids.includes(ext.id));
    if (!offered) return;
    const r = await this.query(ext, { mbimVersion: 0x0100, mbimExtendedVersion: major << 8 });
    this.mbimex = r.mbimExtendedVersion;
    this.options.log?.(
      `successfully exchanged version information: version ${r.mbimVersion >> 8}.${hex2(r.mbimVersion)}, extended version ${r.mbimExtendedVersion >> 8}.${hex2(r.mbimExtendedVersion)}`,
    );
  }

  get description(): string {
    return this.transport.description;
  }

  /** A typed query: resolves with the decoded response, rejects with MbimStatusError on a failure status. */
  query<C extends CidDef & { query: Layout; response: Layout }>(def: C, values?: QueryOf<C>, opts: { timeoutMs?: number } = {}): Promise<ResponseOf<C>> {
    return this.typed(def, QUERY, def.query.encode((values ?? {}) as never), opts) as Promise<ResponseOf<C>>;
  }

  /** A typed set. */
  set<C extends CidDef & { set: Layout; response: Layout }>(def: C, values: SetOf<C>, opts: { timeoutMs?: number } = {}): Promise<ResponseOf<C>> {
    return this.typed(def, SET, def.set.encode(values as never), opts) as Promise<ResponseOf<C>>;
  }

  /** Any command, undeclared ones included; resolves with the COMMAND_DONE whatever its status. */
  async command(req: CommandRequest, opts: { timeoutMs?: number } = {}): Promise<MbimMessageOf<'commandDone'>> {
    let retried = false;
    for (;;) {
      try {
        return (await this.exchange({ type: 'command', transactionId: 0, ...req }, opts.timeoutMs)) as MbimMessageOf<'commandDone'>;
      } catch (e) {
        if (retried || !(e instanceof MbimProtocolErrorResponse)) throw e;
        retried = true;
        if (e.code === MbimProtocolError.NotOpened) {
          this.options.log?.('modem says the session is not open: opening again');
          await this.reopen();
        } else if (e.code === MbimProtocolError.TimeoutFragment || e.code === MbimProtocolError.FragmentOutOfSequence || e.code === MbimProtocolError.LengthMismatch) {
          this.options.log?.(`response lost to ${protocolErrorName(e.code)}: sending the command again`);
        } else throw e;
      }
    }
  }

  /**
   * Asks for `service`'s notifications `cids` (none: all of them) on top of the standard ones and of
   * whatever was asked for before, in one Device Service Subscribe List (a set replaces the
   * function's whole list, so the users of one device share it, as mbim-proxy's clients do). Sent
   * again after the session is re-opened.
   */
  async subscribe(service: string, cids: readonly number[]): Promise<void> {
    if (this.subscriptions.add(service, cids)) await this.sendSubscriptions();
  }

  private sendSubscriptions(): Promise<void> {
    return this.setSubscribeList(this.subscriptions.list());
  }

  /**
   * Sets the function's Device Service Subscribe List to `events` exactly (replacing what anyone asked
   * for: a sole user's call, as libqmi's over MBIM; shared devices use subscribe()).
   */
  async setSubscribeList(events: Subscription[]): Promise<void> {
    const list = basicConnect.cids.deviceServiceSubscribeList;
    const done = await this.command({ service: basicConnect.uuid, cid: list.id, commandType: SET, buffer: list.set.encode({ events }) });
    // Like libmbim, only the status counts: functions differ in what list they echo back.
    if (done.status !== 0) throw new MbimStatusError(done.status, 'basic-connect deviceServiceSubscribeList', done.buffer);
  }

  /** Typed notifications of one CID. Returns an unsubscribe. */
  on<C extends CidDef & { notification: Layout }>(def: C, listener: (values: NotificationOf<C>) => void): () => void {
    return this.onIndication((m) => {
      if (m.service !== def.service.uuid || m.cid !== def.id) return;
      const d = decodeBuffer(def.notification, m.buffer);
      if (d.ok) listener(d.value as NotificationOf<C>);
      else {
        this.stats.undecodable++;
        this.options.log?.(`dropped an undecodable ${describeCid(def)} notification: ${d.error.message}`);
      }
    });
  }

  /** Every INDICATE_STATUS, declared or not. Returns an unsubscribe. */
  onIndication(listener: (m: MbimMessageOf<'indicateStatus'>) => void): () => void {
    this.indicationListeners.push(listener);
    return () => {
      const i = this.indicationListeners.indexOf(listener);
      if (i >= 0) this.indicationListeners.splice(i, 1);
    };
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.closed) queueMicrotask(() => listener());
    else this.closeListeners.push(listener);
  }

  /**
   * Ends the session: CLOSE (waiting `timeoutMs` for CLOSE_DONE) unless `keepSession` (mbimcli
   * --no-close), then the transport. Resolves even if the modem never answers.
   */
  async close(opts: { keepSession?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (!this.closed && !opts.keepSession && !this.transport.closed) {
      try {
        await this.exchange({ type: 'close', transactionId: 0 }, opts.timeoutMs ?? 10_000);
      } catch (e) {
        this.options.log?.(`CLOSE: ${(e as Error).message}`);
      }
    }
    this.shutdown(new MbimClosedError(`${this.transport.description} closed`));
    await this.transport.close();
  }

  private async typed(def: CidDef & { response: Layout }, commandType: MbimCommandType, buffer: Uint8Array, opts: { timeoutMs?: number }): Promise<unknown> {
    const meter = this.options.meter;
    const started = meter ? performance.now() : 0;
    let done;
    try {
      done = await this.command({ service: def.service.uuid, cid: def.id, commandType, buffer }, opts);
    } catch (e) {
      meter?.(def.service.name, (performance.now() - started) / 1000, e instanceof MbimTimeoutError ? 'timeout' : 'failed');
      // A timeout names the command it waited for, not only a transaction id.
      if (e instanceof MbimTimeoutError) throw new MbimTimeoutError(`${commandType === SET ? 'set' : 'query'} ${describeCid(def)}: ${e.message}`);
      throw e;
    }
    meter?.(def.service.name, (performance.now() - started) / 1000, done.status === 0 ? 'success' : 'error');
    if (done.status !== 0) throw new MbimStatusError(done.status, describeCid(def), done.buffer);
    if (done.buffer.length === 0 && def.response.fixedSize !== 0) {
      throw new MbimResponseError(`${describeCid(def)}: Message does not have information buffer`, new DecodeError('missing', 'buffer', 48, 'Message does not have information buffer'));
    }
    const d = decodeBuffer(def.response, done.buffer);
    if (!d.ok) throw new MbimResponseError(`${describeCid(def)}: ${d.error.message}`, d.error);
    return d.value;
  }

  private async sendOpen(timeoutMs: number, retryMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const done = (await this.exchange({ type: 'open', transactionId: 0, maxControlTransfer: this.maxControlTransfer }, Math.min(retryMs, deadline - Date.now()))) as MbimMessageOf<'openDone'>;
        if (done.status !== 0) throw new MbimStatusError(done.status, 'OPEN', new Uint8Array(0));
        return;
      } catch (e) {
        if (!(e instanceof MbimTimeoutError) || Date.now() >= deadline) throw e;
      }
    }
  }

  private reopen(): Promise<void> {
    // A new session: whatever was half-received belongs to the old one.
    this.reassembler.reset();
    this.reopening ??= this.sendOpen(30_000, 5_000)
      .finally(() => (this.reopening = undefined))
      // A new session has the function's default subscriptions: what was asked for beyond them is asked again.
      .then(() => (this.subscriptions.any ? this.sendSubscriptions().catch((e: Error) => this.options.log?.(`notifications not asked for again: ${e.message}`)) : undefined));
    return this.reopening;
  }

  /** Sends a request (tid assigned here) and resolves with its *_DONE. */
  private exchange(m: MbimMessage, timeoutMs = this.timeoutMs): Promise<MbimMessage> {
    if (this.closedError) return Promise.reject(this.closedError);
    const transactionId = this.nextTransactionId;
    this.nextTransactionId = (this.nextTransactionId % 0xffffffff) + 1;
    const msg = { ...m, transactionId } as MbimMessage;
    let fragments: Uint8Array[];
    try {
      fragments = encodeFragments(msg, this.maxControlTransfer);
    } catch (e) {
      return Promise.reject(e);
    }
    const answer = (m.type === 'open' ? 'openDone' : m.type === 'close' ? 'closeDone' : 'commandDone') as MbimMessage['type'];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transactionId);
        reject(new MbimTimeoutError(`${m.type.toUpperCase()} (transaction ${transactionId}) timed out after ${timeoutMs / 1000} s without a response from ${this.transport.description}`));
      }, timeoutMs);
      this.pending.set(transactionId, { answer, resolve, reject, timer });
      try {
        for (const f of fragments) this.write(f);
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(transactionId);
        reject(e as Error);
      }
    });
  }

  private write(bytes: Uint8Array): void {
    this.stats.sent++;
    this.options.trace?.('tx', bytes);
    this.transport.write(bytes);
  }

  private receive(bytes: Uint8Array): void {
    this.stats.received++;
    this.options.trace?.('rx', bytes);
    const d = decodeFragment(bytes);
    if (!d.ok) {
      this.stats.undecodable++;
      this.options.log?.(`dropped an invalid MBIM message: ${d.error.message}`);
      return;
    }
    if ('message' in d.value) {
      this.dispatch(d.value.message);
      return;
    }
    const r = this.reassembler.push(d.value.fragment, Date.now());
    this.armReassemblyTimer();
    if (r.kind === 'message') this.dispatch(r.message);
    else if (r.kind === 'error') this.fragmentError(r.transactionId, r.error, r.reason);
  }

  private armReassemblyTimer(): void {
    clearTimeout(this.reassemblyTimer);
    const deadline = this.reassembler.deadline;
    if (deadline === undefined) return;
    this.reassemblyTimer = setTimeout(() => {
      const r = this.reassembler.expire(Date.now());
      if (r?.kind === 'error') this.fragmentError(r.transactionId, r.error, r.reason);
      else this.armReassemblyTimer();
    }, Math.max(0, deadline - Date.now()) + 1);
  }

  /** Tells the modem (HOST_ERROR) and fails the command waiting for that response, if any. */
  private fragmentError(transactionId: number, error: number, reason: string): void {
    this.stats.hostErrors++;
    this.options.log?.(`fragments of transaction ${transactionId} rejected (${protocolErrorName(error)}): ${reason}`);
    if (!this.transport.closed) this.write(encodeFragments({ type: 'hostError', transactionId, error })[0]!);
    this.settle(transactionId, (p) => p.reject(new MbimProtocolErrorResponse(error, `response to transaction ${transactionId}`)));
  }

  private dispatch(m: MbimMessage): void {
    if (m.type === 'indicateStatus') {
      this.stats.indications++;
      for (const l of [...this.indicationListeners]) l(m);
      return;
    }
    if (m.type === 'functionError') {
      if (!this.settle(m.transactionId, (p) => p.reject(new MbimProtocolErrorResponse(m.error, `transaction ${m.transactionId}`)))) {
        this.options.log?.(`modem reported ${protocolErrorName(m.error)} for transaction ${m.transactionId}`);
      }
      return;
    }
    const p = this.pending.get(m.transactionId);
    if (!p || p.answer !== m.type) {
      this.stats.unmatched++;
      this.options.log?.(`dropped a ${m.type} matching no request (transaction ${m.transactionId})`);
      return;
    }
    this.settle(m.transactionId, (q) => q.resolve(m));
  }

  private settle(transactionId: number, how: (p: Pending) => void): boolean {
    const p = this.pending.get(transactionId);
    if (!p) return false;
    this.pending.delete(transactionId);
    clearTimeout(p.timer);
    how(p);
    return true;
  }

  private shutdown(error: Error, cause?: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    clearTimeout(this.reassemblyTimer);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
    for (const l of this.closeListeners.splice(0)) l(cause);
  }
}
