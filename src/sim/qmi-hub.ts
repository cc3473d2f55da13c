/**
 * Several host connections sharing one modem's QMI endpoint, as libqmi's qmi-proxy shares a device:
 * CTL transactions are rewritten so clients cannot collide, responses go back to the connection that
 * asked, and indications go to the connections holding that client id (broadcasts to every holder of
 * the service). The pty, unix-socket clients and proxy clients all attach here.
 */
import type { QmuxPort } from '../qmi/port.js';
import { QMI_CID_BROADCAST, QMI_SERVICE_CTL, decodeQmux, encodeQmux, type QmuxFrame } from '../qmi/qmux.js';
import { decodeTlvs } from '../qmi/codec.js';
import { ctl } from '../qmi/services/ctl.js';

interface Connection {
  port: QmuxPort;
  /** CTL is the connection's own plumbing, not the host's traffic (QRTR has no CTL): faults leave it alone. */
  internalCtl: boolean;
  /** `service:cid` the connection allocated or used. */
  clients: Set<string>;
}

/** A fault hook: returns false to drop a frame going to the host, or a delay in ms. */
export type OutboundFault = (frame: Uint8Array) => boolean | number;

export class QmuxHub {
  /** The endpoint's side: frames sent here go to the host connections. */
  readonly port: QmuxPort;
  readonly stats = { toHost: 0, toModem: 0, unroutable: 0, dropped: 0 };
  outboundFault: OutboundFault | undefined;
  private readonly connections = new Set<Connection>();
  private readonly modemListeners: ((frame: Uint8Array) => void)[] = [];
  /** Rewritten CTL transaction → origin. */
  private readonly ctlOrigin = new Map<number, { conn: Connection; transaction: number }>();
  private readonly serviceOrigin = new Map<string, Connection>();
  private ctlTransaction = 0;

  constructor(description: string) {
    const hub = this;
    this.port = {
      description,
      closed: false,
      send: (frame) => hub.toHost(frame),
      onFrame: (l) => hub.modemListeners.push(l),
      onClose: () => undefined,
      close: async () => undefined,
    };
  }

  attach(port: QmuxPort, opts: { internalCtl?: boolean } = {}): void {
    const conn: Connection = { port, clients: new Set(), internalCtl: !!opts.internalCtl };
    this.connections.add(conn);
    port.onFrame((f) => this.fromHost(conn, f));
    port.onClose(() => this.connections.delete(conn));
  }

  /** Sends raw bytes to every connection (fault injection: garbage, storms). */
  inject(bytes: Uint8Array): void {
    for (const c of this.connections) if (!c.port.closed) c.port.send(bytes);
  }

  /** Forgets every client id (a modem reset invalidates them all). */
  forgetClients(): void {
    for (const c of this.connections) c.clients.clear();
    this.serviceOrigin.clear();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private fromHost(conn: Connection, frame: Uint8Array): void {
    const d = decodeQmux(frame);
    if (!d.ok || d.value.type !== 'request') {
      // Let the endpoint reject and log it; a malformed frame has no route back.
      this.deliverToModem(frame);
      return;
    }
    const f = d.value;
    this.stats.toModem++;
    if (f.service === QMI_SERVICE_CTL) {
      this.ctlTransaction = (this.ctlTransaction % 0xff) + 1;
      this.ctlOrigin.set(this.ctlTransaction, { conn, transaction: f.transaction });
      this.deliverToModem(rewrite(f, this.ctlTransaction));
      return;
    }
    conn.clients.add(`${f.service}:${f.clientId}`);
    this.serviceOrigin.set(`${f.service}:${f.clientId}:${f.transaction}`, conn);
    this.deliverToModem(frame);
  }

  private deliverToModem(frame: Uint8Array): void {
    for (const l of this.modemListeners) l(frame);
  }

  private toHost(frame: Uint8Array): void {
    const d = decodeQmux(frame);
    if (!d.ok) return;
    const f = d.value;
    if (f.type === 'indication') {
      for (const c of this.connections) {
        const holds = f.clientId === QMI_CID_BROADCAST ? [...c.clients].some((k) => k.startsWith(`${f.service}:`)) : c.clients.has(`${f.service}:${f.clientId}`);
        if (holds || f.service === QMI_SERVICE_CTL) this.send(c, frame);
      }
      return;
    }
    if (f.service === QMI_SERVICE_CTL) {
      const origin = this.ctlOrigin.get(f.transaction);
      if (!origin) return this.unroutable();
      this.ctlOrigin.delete(f.transaction);
      this.noteAllocation(origin.conn, f);
      this.send(origin.conn, rewrite(f, origin.transaction));
      return;
    }
    const key = `${f.service}:${f.clientId}:${f.transaction}`;
    const conn = this.serviceOrigin.get(key);
    if (!conn) return this.unroutable();
    this.serviceOrigin.delete(key);
    this.send(conn, frame);
  }

  /** Remembers which connection holds a newly allocated client id, for its indications. */
  private noteAllocation(conn: Connection, f: QmuxFrame): void {
    if (f.messageId === ctl.messages.sync.id) return this.forgetClients();
    if (f.messageId !== ctl.messages.allocateCid.id) return;
    const r = decodeTlvs(ctl.messages.allocateCid.response, f.tlvs, { response: true });
    if (r.ok && r.value.result?.status === 0) conn.clients.add(`${r.value.values.allocation.service}:${r.value.values.allocation.cid}`);
  }

  private send(c: Connection, frame: Uint8Array): void {
    if (c.port.closed) return;
    const fault = c.internalCtl && frame[4] === QMI_SERVICE_CTL ? undefined : this.outboundFault?.(frame);
    if (fault === false) {
      this.stats.dropped++;
      return;
    }
    this.stats.toHost++;
    if (typeof fault === 'number' && fault > 0) setTimeout(() => !c.port.closed && c.port.send(frame), fault);
    else c.port.send(frame);
  }

  private unroutable(): void {
    this.stats.unroutable++;
  }
}

function rewrite(f: QmuxFrame, transaction: number): Uint8Array {
  return encodeQmux({
    service: f.service,
    clientId: f.clientId,
    type: f.type === 'response' ? 'response' : f.type === 'indication' ? 'indication' : 'request',
    transaction,
    messageId: f.messageId,
    tlvs: f.tlvs,
    controlFlags: f.controlFlags,
  });
}
