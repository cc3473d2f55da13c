/**
 * QMI in the device role: decodes requests with the same declarations the host uses, allocates client
 * ids, echoes transactions, and answers with handlers' values or protocol errors. The simulated
 * modem's firmware plugs its behaviour in here; tests use it as a scripted modem.
 */
import { decodeTlvs, encodeTlvs } from '../qmi/codec.js';
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import type { QmuxPort } from '../qmi/port.js';
import { QMI_SERVICE_CTL, decodeQmux, encodeQmux, type QmuxFrame } from '../qmi/qmux.js';
import type { IndicationDef, IndicationOf, MessageDef, RequestOf, ResponseOf, TlvMap, TlvValues } from '../qmi/schema.js';
import { ctl } from '../qmi/services/ctl.js';

export interface QmiRequestContext {
  frame: QmuxFrame;
  clientId: number;
}

type Handler = (values: unknown, ctx: QmiRequestContext) => unknown | Promise<unknown>;

export interface QmiEndpointOptions {
  /** Services advertised by CTL Get Version Info: id → [major, minor]. */
  versions?: Map<number, [number, number]>;
  /** Client ids available per service (a real modem runs out; ClientIdsExhausted follows). */
  maxClientsPerService?: number;
  log?: (line: string) => void;
  /** Every frame in and out. */
  trace?: (direction: 'rx' | 'tx', frame: Uint8Array) => void;
}

/** How many recent requests an endpoint keeps for inspection. */
export const REQUESTS_KEPT = 1000;

export class QmiDeviceEndpoint {
  /** The last REQUESTS_KEPT service requests received (not CTL), in order: what a capture test compares. */
  readonly requests: QmuxFrame[] = [];
  readonly stats = { requests: 0, rejected: 0 };
  private readonly handlers = new Map<string, { def: MessageDef<any, any>; fn: Handler }>();
  private readonly clients = new Map<number, Set<number>>();
  private readonly releaseListeners: ((service: number, cid: number) => void)[] = [];
  private lastCid = new Map<number, number>();

  constructor(
    readonly port: QmuxPort,
    private readonly options: QmiEndpointOptions = {},
  ) {
    port.onFrame((f) => {
      this.receive(f).catch((e: unknown) => this.options.log?.(`failed to answer a request: ${(e as Error).message}`));
    });
  }

  /** Answers `def` with what `fn` returns; throwing QmiProtocolErrorResponse answers with that error. */
  handle<D extends MessageDef<any, any>>(def: D, fn: (values: RequestOf<D>, ctx: QmiRequestContext) => ResponseOf<D> | Promise<ResponseOf<D>>): this {
    this.handlers.set(`${def.service.id}:${def.id}`, { def, fn: fn as Handler });
    return this;
  }

  /** Called when a host releases a client id (its per-client state goes with it). */
  onRelease(listener: (service: number, cid: number) => void): void {
    this.releaseListeners.push(listener);
  }

  private releaseAll(): void {
    for (const [service, set] of this.clients) {
      for (const cid of [...set]) {
        set.delete(cid);
        for (const l of this.releaseListeners) l(service, cid);
      }
    }
  }

  /** Forgets every client id, as a modem reset does: later requests with them get InvalidClientId. */
  resetClients(): void {
    this.clients.clear();
  }

  /** Client ids currently allocated for a service. */
  clientsOf(service: number): number[] {
    return [...(this.clients.get(service) ?? [])];
  }

  /** How many client ids are allocated, over every service. */
  allocatedClients(): number {
    return [...this.clients.values()].reduce((n, set) => n + set.size, 0);
  }

  /** Every allocated client id, by service id. */
  allocated(): Map<number, number[]> {
    return new Map([...this.clients].filter(([, set]) => set.size > 0).map(([service, set]) => [service, [...set].sort((a, b) => a - b)]));
  }

  /** Sends an indication to one client, or to all of its service with QMI_CID_BROADCAST. */
  indicate<I extends IndicationDef<any>>(def: I, clientId: number, values: IndicationOf<I>): void {
    this.send(def.service.id, clientId, 'indication', 0, def.id, encodeTlvs(def.tlvs, values as TlvValues<TlvMap>));
  }

  private async receive(bytes: Uint8Array): Promise<void> {
    this.options.trace?.('rx', bytes);
    const d = decodeQmux(bytes);
    if (!d.ok) {
      this.stats.rejected++;
      this.options.log?.(`rejected a frame: ${d.error.message}`);
      return;
    }
    const f = d.value;
    if (f.type !== 'request') {
      this.stats.rejected++;
      this.options.log?.(`rejected a ${f.type ?? 'malformed'} frame: the device only takes requests`);
      return;
    }
    this.stats.requests++;
    if (f.service === QMI_SERVICE_CTL) return this.ctlRequest(f);
    this.requests.push(f);
    // A simulator that runs for hours (a soak) keeps a window, not every request it ever got.
    if (this.requests.length > REQUESTS_KEPT) this.requests.shift();
    if (!this.clients.get(f.service)?.has(f.clientId)) return this.fail(f, QmiProtocolError.InvalidClientId);
    await this.dispatch(f);
  }

  private async dispatch(f: QmuxFrame): Promise<void> {
    const h = this.handlers.get(`${f.service}:${f.messageId}`);
    if (!h) {
      this.options.log?.(`no handler for service ${f.service} message 0x${f.messageId.toString(16).padStart(4, '0')}: answering InvalidQmiCommand`);
      return this.fail(f, QmiProtocolError.InvalidQmiCommand);
    }
    const req = decodeTlvs(h.def.request, f.tlvs, { response: false });
    if (!req.ok) {
      this.options.log?.(`malformed ${h.def.name} request: ${req.error.message}`);
      return this.fail(f, req.error.code === 'missing' ? QmiProtocolError.MissingArgument : QmiProtocolError.MalformedMessage);
    }
    let tlvs: Uint8Array;
    try {
      const values = await h.fn(req.value.values, { frame: f, clientId: f.clientId });
      tlvs = encodeTlvs(h.def.response, values as TlvValues<TlvMap>, { result: { status: 0, error: 0 } });
    } catch (e) {
      if (e instanceof QmiProtocolErrorResponse) {
        return this.reply(f, encodeTlvs(h.def.response, e.values as TlvValues<TlvMap>, { result: { status: 1, error: e.code } }));
      }
      // A handler bug must not take the modem down: answer Internal, as firmware does.
      this.options.log?.(`handler for ${h.def.name} failed: ${(e as Error).message}`);
      return this.fail(f, QmiProtocolError.Internal);
    }
    this.reply(f, tlvs);
  }

  private ctlRequest(f: QmuxFrame): void {
    const m = ctl.messages;
    const ok = { status: 0, error: 0 };
    switch (f.messageId) {
      case m.allocateCid.id: {
        const r = decodeTlvs(m.allocateCid.request, f.tlvs, { response: false });
        if (!r.ok) return this.fail(f, QmiProtocolError.MalformedMessage);
        const service = r.value.values.service;
        const cid = this.allocate(service);
        if (cid === undefined) return this.fail(f, QmiProtocolError.ClientIdsExhausted);
        return this.reply(f, encodeTlvs(m.allocateCid.response, { allocation: { service, cid } }, { result: ok }));
      }
      case m.releaseCid.id: {
        const r = decodeTlvs(m.releaseCid.request, f.tlvs, { response: false });
        if (!r.ok) return this.fail(f, QmiProtocolError.MalformedMessage);
        const { service, cid } = r.value.values.release;
        if (!this.clients.get(service)?.delete(cid)) return this.fail(f, QmiProtocolError.InvalidClientId);
        for (const l of this.releaseListeners) l(service, cid);
        return this.reply(f, encodeTlvs(m.releaseCid.response, { release: { service, cid } }, { result: ok }));
      }
      case m.getVersionInfo.id: {
        const services = [...(this.options.versions ?? new Map<number, [number, number]>([[0, [1, 5]]]))].map(([service, [major, minor]]) => ({ service, major, minor }));
        return this.reply(f, encodeTlvs(m.getVersionInfo.response, { services }, { result: ok }));
      }
      case m.sync.id:
        // Sync releases every client id, whoever holds it: what a host that is the port's only user
        // sends at open to get back the ids (and calls) a crashed predecessor left.
        this.releaseAll();
        return this.reply(f, encodeTlvs({}, {}, { result: ok }));
      case m.internalProxyOpen.id:
        return this.reply(f, encodeTlvs({}, {}, { result: ok }));
      case m.setDataFormat.id: {
        const r = decodeTlvs(m.setDataFormat.request, f.tlvs, { response: false });
        if (!r.ok) return this.fail(f, QmiProtocolError.MalformedMessage);
        return this.reply(f, encodeTlvs(m.setDataFormat.response, { protocol: r.value.values.protocol ?? 1 }, { result: ok }));
      }
      default:
        return this.fail(f, QmiProtocolError.InvalidQmiCommand);
    }
  }

  private allocate(service: number): number | undefined {
    const set = this.clients.get(service) ?? new Set<number>();
    this.clients.set(service, set);
    const max = this.options.maxClientsPerService ?? 32;
    if (set.size >= max) return undefined;
    // Round-robin over 1..254 so a released id is not handed out again at once.
    let cid = this.lastCid.get(service) ?? 0;
    do cid = (cid % 254) + 1;
    while (set.has(cid));
    this.lastCid.set(service, cid);
    set.add(cid);
    return cid;
  }

  private fail(f: QmuxFrame, error: number): void {
    this.reply(f, encodeTlvs({}, {}, { result: { status: 1, error } }));
  }

  private reply(f: QmuxFrame, tlvs: Uint8Array): void {
    this.send(f.service, f.clientId, 'response', f.transaction, f.messageId, tlvs);
  }

  private send(service: number, clientId: number, type: 'response' | 'indication', transaction: number, messageId: number, tlvs: Uint8Array): void {
    if (this.port.closed) return;
    const frame = encodeQmux({ service, clientId, type, transaction, messageId, tlvs, controlFlags: 0x80 });
    this.options.trace?.('tx', frame);
    this.port.send(frame);
  }
}

