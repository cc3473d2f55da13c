/**
 * QRTR (the kernel's IPC router, `AF_QIPCRTR`) through the native addon: datagram sockets addressed
 * by {node, port}, and a client of the in-kernel name service (lookups by service and instance,
 * watched for servers appearing and leaving). Linux with the `qrtr` module only.
 */
import { closeSync } from 'node:fs';
import { native, type NativeAddon, type ReadableWatch } from '../native/index.js';
import { QRTR_PORT_CTRL, decodeQrtrControl, encodeQrtrControl, type QrtrControl } from '../qrtr/control.js';

export interface QrtrAddress {
  node: number;
  port: number;
}

/** A QRTR socket could not be made or used; `errno` is the system's. */
export class QrtrError extends Error {
  override readonly name = 'QrtrError';
  constructor(
    message: string,
    readonly errno?: number,
  ) {
    super(message);
  }
}

/** The name service did not finish answering a lookup in time. */
export class QrtrLookupTimeoutError extends Error {
  override readonly name = 'QrtrLookupTimeoutError';
}

const EAFNOSUPPORT = 97;

/** The addon calls a QRTR socket makes (tests give a stand-in where the kernel has no QRTR). */
export type QrtrNative = Pick<NativeAddon, 'qrtrOpen' | 'qrtrSend' | 'qrtrRecv' | 'watchReadable' | 'unwatch'>;

/** One AF_QIPCRTR socket on a fresh local port. Data and control packets arrive through the listeners. */
export class QrtrSocket {
  readonly stats = { sent: 0, received: 0, sendDrops: 0, badControl: 0, recvErrors: 0 };
  private watch: ReadableWatch | null;
  private readonly dataListeners: ((from: QrtrAddress, data: Uint8Array) => void)[] = [];
  private readonly controlListeners: ((packet: QrtrControl, from: QrtrAddress) => void)[] = [];
  private readonly errorListeners: ((error: QrtrError) => void)[] = [];

  private constructor(
    private readonly fd: number,
    readonly address: QrtrAddress,
    private readonly io: QrtrNative,
  ) {
    this.watch = io.watchReadable(fd, (status) => this.readable(status));
  }

  static open(io: QrtrNative = native()): QrtrSocket {
    let s: { fd: number; node: number; port: number };
    try {
      s = io.qrtrOpen();
    } catch (e) {
      const errno = (e as { errno?: number }).errno;
      const hint = errno === EAFNOSUPPORT ? ' (no QRTR in this kernel: load the qrtr module)' : '';
      throw new QrtrError(`${(e as Error).message}${hint}`, errno);
    }
    return new QrtrSocket(s.fd, { node: s.node, port: s.port }, io);
  }

  get closed(): boolean {
    return this.watch === null;
  }

  onData(listener: (from: QrtrAddress, data: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }

  onControl(listener: (packet: QrtrControl, from: QrtrAddress) => void): void {
    this.controlListeners.push(listener);
  }

  /**
   * Told once when receiving fails for good (e.g. ENETRESET: the local node was renumbered); the
   * socket is closed by then. Without a listener the failure is only counted (stats.recvErrors).
   */
  onError(listener: (error: QrtrError) => void): void {
    this.errorListeners.push(listener);
  }

  /** False when the socket's queue was full and nothing went (counted); throws QrtrError (e.g. ENODEV: no such port). */
  send(to: QrtrAddress, data: Uint8Array): boolean {
    if (this.closed) throw new QrtrError(`QRTR socket ${this.address.node}:${this.address.port} is closed`);
    let n: number;
    try {
      n = this.io.qrtrSend(this.fd, to.node, to.port, data);
    } catch (e) {
      throw new QrtrError(`to ${to.node}:${to.port}: ${(e as Error).message}`, (e as { errno?: number }).errno);
    }
    if (n < 0) {
      this.stats.sendDrops++;
      return false;
    }
    this.stats.sent++;
    return true;
  }

  /** A control packet to the local name service. */
  sendControl(packet: QrtrControl): boolean {
    return this.send({ node: this.address.node, port: QRTR_PORT_CTRL }, encodeQrtrControl(packet));
  }

  close(): void {
    if (!this.watch) return;
    this.io.unwatch(this.watch);
    this.watch = null;
    closeSync(this.fd);
  }

  private readable(status: number): void {
    if (!this.watch) return;
    if (status < 0) return this.fail(new QrtrError(`QRTR socket ${this.address.node}:${this.address.port}: poll failed (libuv status ${status})`));
    // Bounded per wake-up so a flood cannot starve the event loop; the poll is level-triggered.
    for (let i = 0; i < 64 && this.watch; i++) {
      let m: { node: number; port: number; data: Buffer } | null;
      try {
        m = this.io.qrtrRecv(this.fd);
      } catch (e) {
        // The poll is level-triggered: a socket left open in error would wake the loop forever.
        const errno = (e as { errno?: number }).errno;
        return this.fail(new QrtrError(`QRTR socket ${this.address.node}:${this.address.port}: ${(e as Error).message}`, errno));
      }
      if (!m) return;
      this.stats.received++;
      const from = { node: m.node, port: m.port };
      if (m.port === QRTR_PORT_CTRL) {
        const d = decodeQrtrControl(m.data);
        if (!d.ok) this.stats.badControl++;
        else for (const l of this.controlListeners) l(d.value, from);
      } else {
        for (const l of this.dataListeners) l(from, m.data);
      }
    }
  }

  private fail(error: QrtrError): void {
    this.stats.recvErrors++;
    this.close();
    for (const l of this.errorListeners) l(error);
  }
}

/** A server the name service knows: service id and instance at node:port. */
export interface QrtrServer extends QrtrAddress {
  service: number;
  instance: number;
}

const serverKey = (s: QrtrServer): string => `${s.node}:${s.port}:${s.service}:${s.instance}`;

export interface QrtrLookupOptions {
  /** 0 (the default) matches every service. */
  service?: number;
  /** 0 (the default) matches every instance. */
  instance?: number;
  /** How long the name service gets to send the list of current servers (default 5 s). */
  timeoutMs?: number;
}

/**
 * A lookup on the name service: the servers that match now (`ready` resolves once the service has
 * listed them), then kept current as servers appear and leave until close().
 */
export class QrtrLookup {
  readonly servers = new Map<string, QrtrServer>();
  readonly ready: Promise<void>;
  private readonly socket: QrtrSocket;
  private readonly changeListeners: ((change: 'new' | 'del', server: QrtrServer) => void)[] = [];
  private readonly errorListeners: ((error: QrtrError) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly settle: (e?: Error) => void;

  constructor(opts: QrtrLookupOptions = {}, io?: QrtrNative) {
    this.socket = QrtrSocket.open(io);
    const service = opts.service ?? 0;
    const instance = opts.instance ?? 0;
    let settle!: (e?: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => (settle = (e) => (e ? reject(e) : resolve())));
    this.settle = settle;
    // Nobody may be waiting on `ready` yet when it fails: never an unhandled rejection.
    this.ready.catch(() => undefined);
    const timeoutMs = opts.timeoutMs ?? 5000;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      settle(new QrtrLookupTimeoutError(`the QRTR name service did not answer a lookup of service ${service} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    // A dead socket sees no more servers come or go: whoever keeps the list must know.
    this.socket.onError((e) => {
      clearTimeout(this.timer);
      this.timer = undefined;
      settle(e);
      for (const l of this.errorListeners) l(e);
    });
    this.socket.onControl((p) => {
      if (p.type === 'newServer' && p.service === 0 && p.instance === 0 && p.node === 0 && p.port === 0) {
        // The all-zero record ends the list of servers present when the lookup began.
        clearTimeout(this.timer);
        this.timer = undefined;
        settle();
        return;
      }
      if (p.type !== 'newServer' && p.type !== 'delServer') return;
      const server: QrtrServer = { service: p.service, instance: p.instance, node: p.node, port: p.port };
      const key = serverKey(server);
      if (p.type === 'newServer') {
        if (this.servers.has(key)) return;
        this.servers.set(key, server);
      } else if (!this.servers.delete(key)) return;
      for (const l of this.changeListeners) l(p.type === 'newServer' ? 'new' : 'del', server);
    });
    try {
      this.socket.sendControl({ type: 'newLookup', service, instance });
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Told of each server that appears or leaves after the lookup began (the initial list included). */
  onChange(listener: (change: 'new' | 'del', server: QrtrServer) => void): void {
    this.changeListeners.push(listener);
  }

  /** Told when the lookup's socket failed: the list is no longer kept current (the lookup is closed). */
  onError(listener: (error: QrtrError) => void): void {
    this.errorListeners.push(listener);
  }

  /** Current servers on one node. */
  onNode(node: number): QrtrServer[] {
    return [...this.servers.values()].filter((s) => s.node === node);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.settle(new QrtrError('the QRTR lookup was closed'));
    // Closing the socket ends the lookup: the kernel tells the name service the port went.
    this.socket.close();
  }
}
