/**
 * libmbim's mbim-proxy, as the simulator plays it: a client's first message is a Proxy Control
 * Configuration naming a device path; the modem with that pty or socket takes the connection (OPEN
 * and CLOSE are then per connection, as the proxy answers them locally), any other path is refused.
 *
 * Node 20 pads abstract unix names to the full sun_path, and libmbim connects with the exact length:
 * the two never meet. So the proxy listens twice: on Node's padded `\0mbim-proxy` (wwankit's own
 * clients) and, through a socat relay that binds the exact name, for libmbim (mbimcli -p,
 * ModemManager).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { MbimFramer } from '../mbim/framer.js';
import { decodeMessage, encodeFragments, type MbimMessage } from '../mbim/message.js';
import { MbimStatus, SET } from '../mbim/protocol.js';
import { decodeBuffer } from '../mbim/schema.js';
import { proxyControl } from '../mbim/services/proxy-control.js';
import { StreamTransport } from '../transport/stream.js';
import type { Transport } from '../transport/types.js';
import type { SimModem } from './modem.js';

/** libmbim's proxy socket: an abstract unix name, per network namespace. */
export const MBIM_PROXY_NAME = '\0mbim-proxy';

export interface MbimProxyOptions {
  modems: readonly SimModem[];
  /** Where the relay's socket goes. */
  dir: string;
  log: (line: string) => void;
  trace?: (direction: 'rx' | 'tx', bytes: Uint8Array) => void;
}

export interface MbimProxy {
  close(): Promise<void>;
}

export async function listenMbimProxy(opts: MbimProxyOptions): Promise<MbimProxy> {
  const sockets = new Set<net.Socket>();
  const accept = (sock: net.Socket): void => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
    serveClient(sock, opts);
  };
  const servers = [net.createServer(accept), net.createServer(accept)];
  const relayPath = join(opts.dir, 'mbim-proxy.sock');
  let relay: ChildProcess | undefined;
  const close = async (): Promise<void> => {
    relay?.kill();
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  };
  try {
    await listen(servers[0]!, MBIM_PROXY_NAME);
    await listen(servers[1]!, relayPath);
    relay = await exactAbstractRelay('mbim-proxy', relayPath, opts.log);
  } catch (e) {
    await close();
    throw e;
  }
  return { close };
}

function listen(server: net.Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`the mbim-proxy socket ${path.replace('\0', '@')} is taken (a real mbim-proxy runs in this network namespace?)`) : e),
    );
    server.listen(path, () => resolve());
  });
}

/**
 * socat binds `@name` with its exact length and relays each connection to `target`. Resolves once
 * the kernel lists the name; without socat, libmbim clients cannot reach the proxy (logged).
 */
async function exactAbstractRelay(name: string, target: string, log: (line: string) => void): Promise<ChildProcess | undefined> {
  const child = spawn('socat', [`ABSTRACT-LISTEN:${name},fork`, `UNIX-CONNECT:${target}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (e) => resolve(e.message));
    child.once('exit', (code) => resolve(`socat exited with ${code}: ${stderr.trim()}`));
  });
  const deadline = Date.now() + 3000;
  for (;;) {
    const gone = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 20))]);
    if (gone !== undefined) {
      if (gone.includes('ENOENT')) {
        log(`mbim-proxy: socat is missing, so libmbim clients (mbimcli -p, ModemManager) cannot reach @${name}: ${gone}`);
        return undefined;
      }
      throw new Error(gone.includes('Address already in use') ? `the mbim-proxy socket @${name} is taken (a real mbim-proxy runs in this network namespace?)` : gone);
    }
    if (listensOn(name)) return child;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`socat did not bind @${name} within 3 s`);
    }
  }
}

/** Whether /proc/net/unix lists a listening socket named exactly `@name`. */
function listensOn(name: string): boolean {
  return readFileSync('/proc/net/unix', 'latin1').split('\n').some((l) => l.endsWith(` @${name}`));
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
