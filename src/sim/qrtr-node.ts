/**
 * The simulated modem as a QRTR node: every QMI service of the firmware is published on the local
 * node with the instance real modems use (major version | instance << 8) and answers on its own
 * port. To the modem's QMUX hub the node is one more host connection: the first message from a QRTR
 * client of a service gets it a client id (CTL Allocate CID, as a host would ask), the name service's
 * DEL_CLIENT releases it. Stop and reset withdraw the services (DEL_SERVER); after a reset they come back.
 */
import { decodeTlvs, encodeTlvs } from '../qmi/codec.js';
import type { QmuxPort } from '../qmi/port.js';
import { QMI_CID_BROADCAST, QMI_SERVICE_CTL, decodeQmux, encodeQmux } from '../qmi/qmux.js';
import { qmuxFromQrtr, qrtrFromQmux } from '../qmi/qrtr-message.js';
import { ctl } from '../qmi/services/ctl.js';
import { qmiServiceInstance } from '../qrtr/control.js';
import { QrtrSocket, type QrtrAddress } from '../transport/qrtr.js';
import type { SimModem } from './modem.js';
import { qmiServiceVersions } from './qmi-firmware.js';

export interface QrtrPublication {
  /** The node the services are on (the local node). */
  readonly node: number;
  /** Service id → its port. */
  readonly ports: ReadonlyMap<number, number>;
  readonly stats: { fromClients: number; toClients: number; dropped: number };
  /** Clients holding a client id now. */
  readonly clientCount: number;
  /** Withdraws every service (DEL_SERVER) and closes their sockets. */
  stop(): Promise<void>;
}

interface RemoteClient {
  service: number;
  address: QrtrAddress;
  /** Undefined until CTL Allocate CID answered; messages wait meanwhile. */
  cid?: number;
  queue: Uint8Array[];
}

/** Messages a client may send before its client id is known: past this they are dropped. */
const MAX_QUEUED = 32;

export function publishQrtr(modem: SimModem, log: (line: string) => void): QrtrPublication {
  if (modem.profile.control !== 'qmi') throw new Error(`QRTR carries QMI: profile ${modem.profile.name} is ${modem.profile.control}`);
  return new QrtrNode(modem, log);
}

class QrtrNode implements QrtrPublication {
  readonly stats = { fromClients: 0, toClients: 0, dropped: 0 };
  readonly ports = new Map<number, number>();
  readonly node: number;
  private readonly sockets = new Map<number, QrtrSocket>();
  private readonly versions = qmiServiceVersions();
  /** `service:node:port` → client. */
  private readonly remotes = new Map<string, RemoteClient>();
  private readonly byCid = new Map<string, RemoteClient>();
  private readonly ctlPending = new Map<number, RemoteClient>();
  private readonly hubListeners: ((frame: Uint8Array) => void)[] = [];
  private ctlTransaction = 0;
  private stopped = false;
  private readonly port: QmuxPort;

  constructor(
    private readonly modem: SimModem,
    private readonly log: (line: string) => void,
  ) {
    const self = this;
    // The hub's view of this node: frames it sends here are answers for QRTR clients.
    this.port = {
      description: `${modem.id} qrtr`,
      get closed() {
        return self.stopped;
      },
      send: (frame) => this.fromHub(frame),
      onFrame: (l) => this.hubListeners.push(l),
      onClose: () => undefined,
      close: async () => undefined,
    };
    for (const service of this.versions.keys()) {
      if (service === QMI_SERVICE_CTL) continue;
      const socket = QrtrSocket.open();
      this.sockets.set(service, socket);
      this.ports.set(service, socket.address.port);
      socket.onData((from, data) => this.fromClient(service, from, data));
      socket.onError((e) => this.log(`${modem.id}: QRTR service ${service} stopped receiving: ${e.message}`));
      socket.onControl((p, from) => {
        if (p.type === 'delClient') this.clientGone(p);
        // BYE: a whole node went (it names itself as the sender).
        else if (p.type === 'bye') for (const r of [...this.remotes.values()]) if (r.address.node === from.node) this.clientGone(r.address);
      });
    }
    this.node = [...this.sockets.values()][0]?.address.node ?? 0;
    // The client-id allocations below stand in for QRTR's implicit clients: host faults must not hit them.
    modem.hub.attach(this.port, { internalCtl: true });
    this.announce('newServer');
    modem.firmware.on('reset', () => {
      if (this.stopped) return;
      // A reset re-enumerates the modem: its services leave and come back, every client id is gone.
      this.announce('delServer');
      this.remotes.clear();
      this.byCid.clear();
      this.ctlPending.clear();
      this.announce('newServer');
    });
    log(`${modem.id}: QMI services on QRTR node ${this.node}: ${[...this.ports].map(([s, p]) => `${s}@${p}`).join(' ')}`);
  }

  get clientCount(): number {
    return this.byCid.size;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.announce('delServer');
    this.stopped = true;
    for (const s of this.sockets.values()) s.close();
    this.remotes.clear();
    this.byCid.clear();
  }

  private announce(type: 'newServer' | 'delServer'): void {
    for (const [service, socket] of this.sockets) {
      const [major] = this.versions.get(service)!;
      try {
        socket.sendControl({ type, service, instance: qmiServiceInstance(major, 0), node: socket.address.node, port: socket.address.port });
      } catch (e) {
        this.log(`${this.modem.id}: QRTR ${type} of service ${service}: ${(e as Error).message}`);
      }
    }
  }

  private fromClient(service: number, from: QrtrAddress, data: Uint8Array): void {
    this.stats.fromClients++;
    const key = `${service}:${from.node}:${from.port}`;
    let remote = this.remotes.get(key);
    if (!remote) {
      remote = { service, address: from, queue: [] };
      this.remotes.set(key, remote);
      this.ctlTransaction = (this.ctlTransaction % 0xff) + 1;
      this.ctlPending.set(this.ctlTransaction, remote);
      const tlvs = encodeTlvs(ctl.messages.allocateCid.request, { service });
      this.toHub(encodeQmux({ service: QMI_SERVICE_CTL, clientId: 0, type: 'request', transaction: this.ctlTransaction, messageId: ctl.messages.allocateCid.id, tlvs }));
    }
    if (remote.cid === undefined) {
      if (remote.queue.length >= MAX_QUEUED) this.stats.dropped++;
      else remote.queue.push(data);
      return;
    }
    this.forward(remote, data);
  }

  private forward(remote: RemoteClient, data: Uint8Array): void {
    const q = qmuxFromQrtr(remote.service, remote.cid!, data, false);
    if (!q.ok) {
      this.stats.dropped++;
      this.log(`${this.modem.id}: dropped a malformed QMI message from QRTR ${remote.address.node}:${remote.address.port}: ${q.error.message}`);
      return;
    }
    this.toHub(q.value.bytes);
  }

  private toHub(frame: Uint8Array): void {
    for (const l of this.hubListeners) l(frame);
  }

  private fromHub(frame: Uint8Array): void {
    const d = decodeQmux(frame);
    if (!d.ok || this.stopped) return;
    const f = d.value;
    if (f.service === QMI_SERVICE_CTL) {
      if (f.type !== 'response') return;
      const remote = this.ctlPending.get(f.transaction);
      if (!remote) return;
      this.ctlPending.delete(f.transaction);
      const r = decodeTlvs(ctl.messages.allocateCid.response, f.tlvs, { response: true, base: 12 });
      if (!r.ok || r.value.result?.status !== 0) {
        this.log(`${this.modem.id}: no client id for QRTR client ${remote.address.node}:${remote.address.port} of service ${remote.service}`);
        this.remotes.delete(`${remote.service}:${remote.address.node}:${remote.address.port}`);
        this.stats.dropped += remote.queue.length;
        return;
      }
      remote.cid = r.value.values.allocation.cid;
      this.byCid.set(`${remote.service}:${remote.cid}`, remote);
      for (const data of remote.queue.splice(0)) this.forward(remote, data);
      return;
    }
    const socket = this.sockets.get(f.service);
    if (!socket) return;
    const targets = f.type === 'indication' && f.clientId === QMI_CID_BROADCAST
      ? [...this.byCid.values()].filter((r) => r.service === f.service)
      : [this.byCid.get(`${f.service}:${f.clientId}`)].filter((r): r is RemoteClient => r !== undefined);
    for (const r of targets) {
      try {
        if (socket.send(r.address, qrtrFromQmux(frame))) this.stats.toClients++;
        else this.stats.dropped++;
      } catch {
        // The client's port went between its last message and this answer.
        this.stats.dropped++;
      }
    }
  }

  private clientGone(address: QrtrAddress): void {
    for (const [key, r] of this.remotes) {
      if (r.address.node !== address.node || r.address.port !== address.port) continue;
      this.remotes.delete(key);
      if (r.cid === undefined) continue;
      this.byCid.delete(`${r.service}:${r.cid}`);
      this.ctlTransaction = (this.ctlTransaction % 0xff) + 1;
      const tlvs = encodeTlvs(ctl.messages.releaseCid.request, { release: { service: r.service, cid: r.cid } });
      this.toHub(encodeQmux({ service: QMI_SERVICE_CTL, clientId: 0, type: 'request', transaction: this.ctlTransaction, messageId: ctl.messages.releaseCid.id, tlvs }));
    }
  }
}
