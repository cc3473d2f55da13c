/**
 * libmbim's mbim-proxy, as the simulator plays it: a client's first message is a Proxy Control
 * Configuration naming a device path; the modem with that pty or socket takes the connection (OPEN
 * and CLOSE are then per connection, as the proxy answers them locally), any other path is refused.
 * The name is bound with its exact length (transport/unix.ts), as libmbim connects to it.
 */
import net from 'node:net';
import { MbimFramer } from '../mbim/framer.js';
import { decodeMessage, encodeFragments, type MbimMessage } from '../mbim/message.js';
import { MbimStatus, SET } from '../mbim/protocol.js';
import { decodeBuffer } from '../mbim/schema.js';
import { proxyControl } from '../mbim/services/proxy-control.js';
import { StreamTransport } from '../transport/stream.js';
import { listenUnix } from '../transport/unix.js';
import type { Transport } from '../transport/types.js';
import type { SimModem } from './modem.js';

/** libmbim's proxy socket: an abstract unix name, per network namespace. */
export const MBIM_PROXY_NAME = '\0mbim-proxy';

export interface MbimProxyOptions {
  modems: readonly SimModem[];
  log: (line: string) => void;
  trace?: (direction: 'rx' | 'tx', bytes: Uint8Array) => void;
}

export interface MbimProxy {
  close(): Promise<void>;
}

export async function listenMbimProxy(opts: MbimProxyOptions): Promise<MbimProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
    serveClient(sock, opts);
  });
  try {
    await listenUnix(server, MBIM_PROXY_NAME);
  } catch (e) {
    throw /EADDRINUSE|Address already in use/.test((e as Error).message) ? new Error('the mbim-proxy socket is taken (a real mbim-proxy runs in this network namespace?)') : e;
  }
  return {
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The first message routes the client; after it, the connection is the modem's. */
function serveClient(sock: net.Socket, opts: MbimProxyOptions): void {
  const client = new StreamTransport(sock, 'mbim-proxy client');
  const send = (m: MbimMessage): void => {
    const [bytes] = encodeFragments(m);
    opts.trace?.('tx', bytes!);
    client.write(bytes!);
  };
  let deliver: ((chunk: Uint8Array) => void) | undefined;
  const routed: Transport = {
    description: client.description,
    write: (b) => client.write(b),
    get writeDrops() {
      return client.writeDrops;
    },
    onData: (l) => void (deliver = l),
    onClose: (l) => client.onClose(l),
    close: () => client.close(),
    get closed() {
      return client.closed;
    },
  };
  let configured = false;
  const framer = new MbimFramer({
    message(bytes) {
      if (configured) return deliver?.(bytes);
      configured = true;
      opts.trace?.('rx', bytes);
      const cfg = proxyControl.cids.configuration;
      const d = decodeMessage(bytes);
      const m = d.ok && d.value.type === 'command' && d.value.service === proxyControl.uuid && d.value.cid === cfg.id && d.value.commandType === SET ? d.value : undefined;
      const req = m && decodeBuffer(cfg.set, m.buffer);
      const path = req?.ok ? req.value.devicePath : undefined;
      const modem = path === undefined ? undefined : opts.modems.find((x) => x.mbim && x.answersTo(path));
      const answer = (status: number): void => send({ type: 'commandDone', transactionId: m!.transactionId, service: proxyControl.uuid, cid: cfg.id, status, buffer: new Uint8Array(0) });
      if (!modem) {
        opts.log(`mbim-proxy: refused a client: ${path === undefined ? 'its first message is not a Proxy Control Configuration' : `no modem at ${JSON.stringify(path.slice(0, 200))}`}`);
        if (m) answer(MbimStatus.Failure);
        client.close().catch(() => undefined);
        return;
      }
      answer(MbimStatus.None);
      modem.attachHost(routed);
    },
    drop: (reason, n) => opts.log(`mbim-proxy: skipped ${n} byte(s) from a client: ${reason}`),
  });
  client.onData((chunk) => framer.push(chunk));
}
