/**
 * A QMUX port onto a QRTR node, so QmiDevice and everything above work unchanged (as libqmi's QRTR
 * endpoint does): each client id is its own QRTR socket talking to the service's port, and CTL is
 * answered here — Allocate/Release CID open and close those sockets, Sync is a no-op, Get Version
 * Info lists the node's services with the versions their instances publish. The node's services are
 * watched: when one a client uses leaves (DEL_SERVER, the modem went or reset), the port closes with
 * QrtrServiceGoneError and every request waiting on it fails at once.
 */
import { decodeTlvs, encodeTlvs } from '../qmi/codec.js';
import { QmiProtocolError } from '../qmi/errors.js';
import type { QmuxPort } from '../qmi/port.js';
import { QMI_SERVICE_CTL, decodeQmux, encodeQmux, type QmuxFrame } from '../qmi/qmux.js';
import { qmuxFromQrtr, qrtrFromQmux } from '../qmi/qrtr-message.js';
import { ctl } from '../qmi/services/ctl.js';
import { splitQmiServiceInstance } from '../qrtr/control.js';
import { QrtrError, QrtrLookup, QrtrSocket, type QrtrServer } from './qrtr.js';

/** A service the port's clients use left the node (or the node went). */
export class QrtrServiceGoneError extends Error {
  override readonly name = 'QrtrServiceGoneError';
}

/** `qrtr://N` → N, as libqmi parses device paths. */
export function parseQrtrPath(path: string): number | undefined {
  const m = /^qrtr:\/\/(\d{1,10})$/.exec(path);
  const node = m ? Number(m[1]) : NaN;
  return Number.isInteger(node) && node <= 0xffffffff ? node : undefined;
}

export interface QrtrQmuxPortOptions {
  /** How long the name service gets to list the node's services (default 5 s). */
  lookupTimeoutMs?: number;
  log?: (line: string) => void;
}

interface Client {
  service: number;
  cid: number;
  socket: QrtrSocket;
  server: QrtrServer;
}

const CID_MAX = 0xfe;

/** Opens a QMUX port onto QRTR node `node`; fails when the node publishes no service. */
export async function openQrtrQmuxPort(node: number, opts: QrtrQmuxPortOptions = {}): Promise<QmuxPort & { readonly clientCount: number }> {
  const lookup = new QrtrLookup({ timeoutMs: opts.lookupTimeoutMs });
  try {
    await lookup.ready;
  } catch (e) {
    lookup.close();
    throw e;
  }
  if (lookup.onNode(node).length === 0) {
    lookup.close();
    throw new QrtrError(`no QMI services on QRTR node ${node}`);
  }
  return new QrtrQmuxPort(node, lookup, opts);
}

class QrtrQmuxPort implements QmuxPort {
  readonly description: string;
  private readonly clients = new Map<string, Client>();
  private readonly frameListeners: ((frame: Uint8Array) => void)[] = [];
  private readonly closeListeners: ((error?: Error) => void)[] = [];
  private isClosed = false;

  constructor(
    private readonly node: number,
    private readonly lookup: QrtrLookup,
    private readonly opts: QrtrQmuxPortOptions,
  ) {
    this.description = `qrtr://${node}`;
    lookup.onError((e) => this.shutdown(e));
    lookup.onChange((change, server) => {
      if (change !== 'del' || server.node !== node) return;
      const users = [...this.clients.values()].filter((c) => c.server.port === server.port && c.service === server.service);
      if (users.length > 0 || lookup.onNode(node).length === 0) {
        this.shutdown(new QrtrServiceGoneError(`QRTR node ${node}: service ${server.service} at port ${server.port} left`));
      }
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  onFrame(listener: (frame: Uint8Array) => void): void {
    this.frameListeners.push(listener);
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListeners.push(listener);
  }

  send(frame: Uint8Array): void {
    if (this.isClosed) throw new QrtrError(`${this.description} is closed`);
    const d = decodeQmux(frame);
    if (!d.ok) throw new QrtrError(`${this.description}: not a QMUX frame: ${d.error.message}`);
    const f = d.value;
    if (f.service === QMI_SERVICE_CTL) return this.answerCtl(f);
    const client = this.clients.get(`${f.service}:${f.clientId}`);
    if (!client) throw new QrtrError(`${this.description}: no client ${f.clientId} of service ${f.service} (allocate one first)`);
    client.socket.send(client.server, qrtrFromQmux(frame));
  }

  async close(): Promise<void> {
    this.shutdown();
  }

  private serverOf(service: number): QrtrServer | undefined {
    // The lowest instance first: a modem with several instances of a service serves the first one here.
    return this.lookup
      .onNode(this.node)
      .filter((s) => s.service === service)
      .sort((a, b) => splitQmiServiceInstance(a.instance).instance - splitQmiServiceInstance(b.instance).instance)[0];
  }

  private answerCtl(f: QmuxFrame): void {
    const m = ctl.messages;
    const ok = { status: 0, error: 0 };
    const fail = (error: number): void => this.reply(f, encodeTlvs({}, {}, { result: { status: 1, error } }));
    if (f.messageId === m.allocateCid.id) {
      const r = decodeTlvs(m.allocateCid.request, f.tlvs, { response: false, base: 12 });
      if (!r.ok) return fail(QmiProtocolError.MalformedMessage);
      const service = r.value.values.service;
      const server = this.serverOf(service);
      if (!server) return fail(QmiProtocolError.Internal);
      const cid = this.freeCid(service);
      if (cid === undefined) return fail(QmiProtocolError.ClientIdsExhausted);
      let socket: QrtrSocket;
      try {
        socket = QrtrSocket.open();
      } catch (e) {
        this.opts.log?.(`${this.description}: ${(e as Error).message}`);
        return fail(QmiProtocolError.Internal);
      }
      const client: Client = { service, cid, socket, server };
      socket.onData((from, data) => this.fromService(client, from.node, from.port, data));
      socket.onError((e) => this.shutdown(e));
      this.clients.set(`${service}:${cid}`, client);
      return this.reply(f, encodeTlvs(m.allocateCid.response, { allocation: { service, cid } }, { result: ok }));
    }
    if (f.messageId === m.releaseCid.id) {
      const r = decodeTlvs(m.releaseCid.request, f.tlvs, { response: false, base: 12 });
      if (!r.ok) return fail(QmiProtocolError.MalformedMessage);
      const { service, cid } = r.value.values.release;
      const key = `${service}:${cid}`;
      const client = this.clients.get(key);
      if (!client) return fail(QmiProtocolError.InvalidClientId);
      this.clients.delete(key);
      client.socket.close();
      return this.reply(f, encodeTlvs(m.releaseCid.response, { release: { service, cid } }, { result: ok }));
    }
    if (f.messageId === m.sync.id) return this.reply(f, encodeTlvs({}, {}, { result: ok }));
    if (f.messageId === m.getVersionInfo.id) {
      const services = new Map<number, number>();
      for (const s of this.lookup.onNode(this.node)) {
        if (s.service <= 0xff && !services.has(s.service)) services.set(s.service, splitQmiServiceInstance(s.instance).version);
      }
      const list = [...services].sort(([a], [b]) => a - b).map(([service, major]) => ({ service, major, minor: 0 }));
      return this.reply(f, encodeTlvs(m.getVersionInfo.response, { services: list }, { result: ok }));
    }
    fail(QmiProtocolError.NotSupported);
  }

  private freeCid(service: number): number | undefined {
    for (let cid = 1; cid <= CID_MAX; cid++) if (!this.clients.has(`${service}:${cid}`)) return cid;
    return undefined;
  }

  private fromService(client: Client, node: number, port: number, data: Uint8Array): void {
    if (node !== client.server.node || port !== client.server.port) {
      this.opts.log?.(`${this.description}: dropped ${data.length} byte(s) from ${node}:${port}, not the service's port`);
      return;
    }
    const q = qmuxFromQrtr(client.service, client.cid, data, true);
    if (!q.ok) {
      this.opts.log?.(`${this.description}: dropped a malformed QMI message from service ${client.service}: ${q.error.message}`);
      return;
    }
    this.emit(q.value.bytes);
  }

  private reply(f: QmuxFrame, tlvs: Uint8Array): void {
    const bytes = encodeQmux({ service: QMI_SERVICE_CTL, clientId: f.clientId, type: 'response', transaction: f.transaction, messageId: f.messageId, tlvs, controlFlags: 0x80 });
    // Asynchronous as a device's answer is: the caller has registered its pending request by then.
    queueMicrotask(() => !this.isClosed && this.emit(bytes));
  }

  private emit(bytes: Uint8Array): void {
    for (const l of this.frameListeners) l(bytes);
  }

  private shutdown(error?: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const c of this.clients.values()) c.socket.close();
    this.clients.clear();
    this.lookup.close();
    for (const l of this.closeListeners) l(error);
  }
}
