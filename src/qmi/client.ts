/**
 * The QMI client: a QmiDevice owns a QMUX port and the implicit CTL client; QmiClients hold a client
 * id for one service. Responses are matched on (service, cid, transaction) as libqmi does; anything
 * unmatched or undecodable is counted and dropped, so a misbehaving modem never wedges the device.
 */
import type { DecodeError } from '../wire/errors.js';
import type { RequestMeter, RequestResult } from '../wire/request-meter.js';
import { decodeTlvs, encodeTlvs, type DecodedTlvs } from './codec.js';
import { QmiProtocolErrorResponse } from './errors.js';
import type { QmuxPort } from './port.js';
import { QMI_CID_BROADCAST, QMI_SERVICE_CTL, decodeQmux, encodeQmux, type QmuxFrame } from './qmux.js';
import type { AnyService, IndicationOf, MessageDef, RequestOf, ResponseOf, ServiceDef, TlvMap, TlvValues } from './schema.js';
import { ctl } from './services/ctl.js';

/** A QMI request got no answer in time. */
export class QmiTimeoutError extends Error {
  override readonly name = 'QmiTimeoutError';
}
/** The QMI device was closed while a request waited. */
export class QmiClosedError extends Error {
  override readonly name = 'QmiClosedError';
}
/** The modem answered the transaction with another message id. */
export class QmiUnexpectedResponseError extends Error {
  override readonly name = 'QmiUnexpectedResponseError';
}
/** The response could not be decoded (e.g. a mandatory TLV is missing). */
export class QmiResponseError extends Error {
  override readonly name = 'QmiResponseError';
  constructor(
    message: string,
    override readonly cause: DecodeError,
  ) {
    super(message);
  }
}
export class QmiServiceUnsupportedError extends Error {
  override readonly name = 'QmiServiceUnsupportedError';
}

export interface QmiDeviceStats {
  sent: number;
  received: number;
  /** Responses that matched no pending transaction (late, duplicated or bogus). */
  unmatched: number;
  /** Frames that failed QMUX validation. */
  undecodable: number;
  indications: number;
}

/** Limits and timeouts of a QMI device. */
export interface QmiDeviceOptions {
  /** Default request timeout (libqmi uses 10 s for most requests). */
  timeoutMs?: number;
  /** Human-readable diagnostics (drops, unmatched responses). */
  log?: (line: string) => void;
  /** Every frame that goes out or comes in, for traces and captures. */
  trace?: (direction: 'tx' | 'rx', frame: Uint8Array) => void;
  /** Told when each request ends (metrics). */
  meter?: RequestMeter;
}

export interface QmiOpenOptions extends QmiDeviceOptions {
  /** When talking to a qmi-proxy: the device path for CTL Internal Proxy Open. */
  proxyDevicePath?: string;
  /** CTL Get Version Info, retried once a second until `openTimeoutMs`; services then get checked. */
  versionInfo?: boolean;
  /** CTL Sync, with retries. */
  sync?: boolean;
  openTimeoutMs?: number;
}


interface Pending {
  def: MessageDef<any, any>;
  resolve: (v: DecodedTlvs<unknown>) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
const describe = (def: MessageDef<any, any>): string => `${def.service.name.toUpperCase()} ${def.name} (${hex4(def.id)})`;

/** A QMI control port: allocates client ids through CTL, matches answers to requests. */
export class QmiDevice {
  readonly stats: QmiDeviceStats = { sent: 0, received: 0, unmatched: 0, undecodable: 0, indications: 0 };
  /** From CTL Get Version Info, when the device was opened with `versionInfo`. */
  versions: Map<number, { major: number; minor: number }> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly clients = new Map<string, QmiClient<AnyService>>();
  private ctlTransaction = 0;
  private closedError: Error | undefined;
  private closing = false;
  private readonly timeoutMs: number;
  private readonly ctlIndicationListeners: ((frame: QmuxFrame) => void)[] = [];

  constructor(
    readonly port: QmuxPort,
    private readonly options: QmiDeviceOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    port.onFrame((f) => this.receive(f));
    port.onClose((err) => this.shutdown(new QmiClosedError(`${port.description} closed${err ? `: ${err.message}` : ''}`)));
  }

  static async open(port: QmuxPort, opts: QmiOpenOptions = {}): Promise<QmiDevice> {
    const dev = new QmiDevice(port, opts);
    try {
      if (opts.proxyDevicePath !== undefined) {
        await dev.ctl(ctl.messages.internalProxyOpen, { devicePath: opts.proxyDevicePath });
      }
      const deadline = Date.now() + (opts.openTimeoutMs ?? 15_000);
      if (opts.versionInfo) {
        const info = await dev.retryUntil(deadline, () => dev.ctl(ctl.messages.getVersionInfo, {}, 1000));
        dev.versions = new Map(info.services.map((s) => [s.service, { major: s.major, minor: s.minor }]));
      }
      if (opts.sync) await dev.retryUntil(deadline, () => dev.ctl(ctl.messages.sync, {}, 2000));
    } catch (e) {
      await dev.close();
      throw e;
    }
    return dev;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** A CTL request on the implicit CTL client (cid 0, one-byte transactions wrapping 255 → 1). */
  ctl<D extends MessageDef<any, any>>(def: D, values: RequestOf<D>, timeoutMs?: number): Promise<ResponseOf<D>> {
    this.ctlTransaction = (this.ctlTransaction % 0xff) + 1;
    return this.request(def, 0, this.ctlTransaction, values, timeoutMs).then((r) => unwrap(def, r) as ResponseOf<D>);
  }

  /**
   * A client of `service`. Without `cid`, one is allocated with CTL Allocate CID; with it (qmicli's
   * `--client-cid`), the id is reused as is and nothing is sent.
   */
  async allocateClient<S extends AnyService>(service: S, opts: { cid?: number } = {}): Promise<QmiClient<S>> {
    if (this.versions && !this.versions.has(service.id)) {
      throw new QmiServiceUnsupportedError(`Service '${service.name}' not supported by the device`);
    }
    let cid = opts.cid;
    if (cid === undefined) {
      const r = await this.ctl(ctl.messages.allocateCid, { service: service.id });
      if (r.allocation.service !== service.id) {
        throw new QmiUnexpectedResponseError(`Service mismatch (${service.id} vs ${r.allocation.service})`);
      }
      cid = r.allocation.cid;
      if (this.closing) {
        // Allocated while the device closes: handed back at once rather than leaked.
        await this.ctl(ctl.messages.releaseCid, { release: { service: service.id, cid } }, 1000).catch(() => undefined);
        throw new QmiClosedError(`${this.port.description} closed`);
      }
    }
    const client = new QmiClient(this, service, cid);
    this.clients.set(`${service.id}:${cid}`, client as unknown as QmiClient<AnyService>);
    return client;
  }

  /**
   * Releases the client's id on the modem (CTL Release CID). The device is the one owner of client ids:
   * whatever is still allocated when it closes is released then, so no caller can leak one.
   */
  async releaseClient(client: QmiClient<AnyService>, timeoutMs?: number): Promise<void> {
    if (!this.clients.delete(`${client.service.id}:${client.cid}`)) return;
    await this.ctl(ctl.messages.releaseCid, { release: { service: client.service.id, cid: client.cid } }, timeoutMs);
  }

  /** Client ids this device holds on the modem, per service id. */
  allocated(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const c of this.clients.values()) out.set(c.service.id, [...(out.get(c.service.id) ?? []), c.cid]);
    return out;
  }

  /** Stops routing to the client without telling the modem (qmicli's `--client-no-release-cid`). */
  forget(client: QmiClient<AnyService>): void {
    this.clients.delete(`${client.service.id}:${client.cid}`);
  }

  onCtlIndication(listener: (frame: QmuxFrame) => void): void {
    this.ctlIndicationListeners.push(listener);
  }

  /** Releases every client id still held (each answer bounded by `releaseTimeoutMs`), then closes the port. */
  async close(releaseTimeoutMs = 1000): Promise<void> {
    this.closing = true;
    if (!this.closedError) {
      await Promise.all([...this.clients.values()].map((c) => this.releaseClient(c, releaseTimeoutMs).catch(() => undefined)));
    }
    this.clients.clear();
    this.shutdown(new QmiClosedError(`${this.port.description} closed`));
    await this.port.close();
  }

  /** @internal Sends a request and resolves with its decoded response, whatever its status. */
  request(def: MessageDef<any, any>, cid: number, transaction: number, values: unknown, timeoutMs = this.timeoutMs): Promise<DecodedTlvs<unknown>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const service = def.service.id;
    const key = `${service}:${cid}:${transaction}`;
    let frame: Uint8Array;
    try {
      frame = encodeQmux({ service, clientId: cid, type: 'request', transaction, messageId: def.id, tlvs: encodeTlvs(def.request, values as TlvValues<TlvMap>) });
    } catch (e) {
      return Promise.reject(e);
    }
    const meter = this.options.meter;
    const started = meter ? performance.now() : 0;
    const done = (result: RequestResult): void => meter?.(def.service.name, (performance.now() - started) / 1000, result);
    return new Promise<DecodedTlvs<unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new QmiTimeoutError(`${describe(def)} timed out after ${timeoutMs / 1000} s without a response from ${this.port.description}`));
      }, timeoutMs);
      this.pending.get(key)?.reject(new QmiClosedError('transaction id reused'));
      this.pending.set(key, { def, resolve, reject, timer });
      this.stats.sent++;
      this.options.trace?.('tx', frame);
      try {
        this.port.send(frame);
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(key);
        reject(e as Error);
      }
    }).then(
      (r) => {
        if (meter) done(r.result && r.result.status !== 0 ? 'error' : 'success');
        return r;
      },
      (e: unknown) => {
        if (meter) done(e instanceof QmiTimeoutError ? 'timeout' : 'failed');
        throw e;
      },
    );
  }

  private receive(bytes: Uint8Array): void {
    this.stats.received++;
    this.options.trace?.('rx', bytes);
    const d = decodeQmux(bytes);
    if (!d.ok) {
      this.stats.undecodable++;
      this.options.log?.(`dropped an invalid QMUX frame: ${d.error.message}`);
      return;
    }
    const f = d.value;
    if (f.type === 'response') this.resolve(f);
    else if (f.type === 'indication') this.indicate(f);
    else {
      this.stats.unmatched++;
      this.options.log?.(`dropped a QMUX ${f.type ?? `flags 0x${f.flags.toString(16)}`} frame the host does not expect`);
    }
  }

  private resolve(f: QmuxFrame): void {
    const key = `${f.service}:${f.clientId}:${f.transaction}`;
    const p = this.pending.get(key);
    if (!p) {
      this.stats.unmatched++;
      this.options.log?.(`dropped a response matching no request (service ${f.service}, cid ${f.clientId}, transaction ${f.transaction}, message ${hex4(f.messageId)})`);
      return;
    }
    this.pending.delete(key);
    clearTimeout(p.timer);
    if (f.messageId !== p.def.id) {
      p.reject(new QmiUnexpectedResponseError(`Unexpected response of type ${hex4(f.messageId)} to ${describe(p.def)}`));
      return;
    }
    const r = decodeTlvs(p.def.response, f.tlvs, { response: true, base: f.service === QMI_SERVICE_CTL ? 12 : 13 });
    if (r.ok) p.resolve(r.value);
    else p.reject(new QmiResponseError(`${describe(p.def)}: ${r.error.message}`, r.error));
  }

  private indicate(f: QmuxFrame): void {
    this.stats.indications++;
    if (f.service === QMI_SERVICE_CTL) {
      for (const l of this.ctlIndicationListeners) l(f);
      return;
    }
    for (const c of this.clients.values()) {
      if (c.service.id === f.service && (f.clientId === QMI_CID_BROADCAST || f.clientId === c.cid)) c.deliver(f);
    }
  }

  private async retryUntil<T>(deadline: number, attempt: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof QmiTimeoutError) || Date.now() >= deadline) throw e;
      }
    }
  }

  private shutdown(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }
}

/** Resolves a decoded response to its values, or throws the protocol error it carries. */
function unwrap(def: MessageDef<any, any>, r: DecodedTlvs<unknown>): unknown {
  if (r.result && r.result.status !== 0) {
    throw new QmiProtocolErrorResponse(r.result.error, describe(def), r.values as Record<string, unknown>);
  }
  return r.values;
}

type IndicationsOf<S> = S extends ServiceDef<any, infer I> ? I[keyof I] : never;

/** A client id of one QMI service: sends its requests and receives its indications. */
export class QmiClient<S extends AnyService> {
  private transaction = 0;
  private readonly listeners = new Map<number, ((values: unknown, frame: QmuxFrame) => void)[]>();
  private readonly rawListeners: ((frame: QmuxFrame) => void)[] = [];

  constructor(
    readonly device: QmiDevice,
    readonly service: S,
    readonly cid: number,
  ) {}

  /** Sends a request; resolves with the response's values, rejects with QmiProtocolErrorResponse on status failure. */
  async request<D extends S['messages'][keyof S['messages']]>(def: D, values: RequestOf<D>, opts: { timeoutMs?: number } = {}): Promise<ResponseOf<D>> {
    return unwrap(def, await this.exchange(def, values, opts)) as ResponseOf<D>;
  }

  /** Like request(), but resolves with the whole decoded response (result, unknown TLVs, warnings) even on failure. */
  exchange<D extends S['messages'][keyof S['messages']]>(def: D, values: RequestOf<D>, opts: { timeoutMs?: number } = {}): Promise<DecodedTlvs<ResponseOf<D>>> {
    this.transaction = (this.transaction % 0xffff) + 1;
    return this.device.request(def, this.cid, this.transaction, values, opts.timeoutMs) as Promise<DecodedTlvs<ResponseOf<D>>>;
  }

  /** Typed indications of this service, addressed to this client or broadcast. Returns an unsubscribe. */
  on<I extends IndicationsOf<S>>(def: I, listener: (values: IndicationOf<I>) => void): () => void {
    const list = this.listeners.get(def.id) ?? [];
    const l = (v: unknown): void => listener(v as IndicationOf<I>);
    list.push(l);
    this.listeners.set(def.id, list);
    return () => list.splice(list.indexOf(l) >>> 0, 1);
  }

  /** Every indication frame, including undeclared ones. */
  onRaw(listener: (frame: QmuxFrame) => void): void {
    this.rawListeners.push(listener);
  }

  release(): Promise<void> {
    return this.device.releaseClient(this as unknown as QmiClient<AnyService>);
  }

  /** @internal */
  deliver(f: QmuxFrame): void {
    for (const l of this.rawListeners) l(f);
    const list = this.listeners.get(f.messageId);
    if (!list?.length) return;
    const def = Object.values(this.service.indications).find((i) => i.id === f.messageId);
    if (!def) return;
    const r = decodeTlvs(def.tlvs, f.tlvs, { response: false, base: 13 });
    if (!r.ok) {
      this.device.stats.undecodable++;
      return;
    }
    for (const l of list) l(r.value.values, f);
  }
}
