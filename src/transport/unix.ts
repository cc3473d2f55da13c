import net from 'node:net';
import { native } from '../native/index.js';
import { StreamTransport } from './stream.js';
import type { Transport } from './types.js';

/** `\0name` or `@name`: an abstract socket name (per network namespace, no file). */
export const isAbstract = (path: string): boolean => path.startsWith('\0') || path.startsWith('@');
const abstractName = (path: string): string => path.slice(1);

/**
 * Connects to a unix stream socket. Abstract names go through our addon, which connects with the
 * exact name length as libqmi's and libmbim's proxies bind it (Node would pad the name to 108 bytes).
 */
export function connectUnix(path: string, options: { batchWrites?: boolean } = {}): Promise<Transport> {
  if (isAbstract(path)) {
    try {
      const fd = native().abstractConnect(abstractName(path));
      return Promise.resolve(new StreamTransport(new net.Socket({ fd, readable: true, writable: true }), `unix:@${abstractName(path)}`, options.batchWrites));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path });
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(new StreamTransport(sock, `unix:${path}`, options.batchWrites));
    });
    sock.once('error', reject);
  });
}

/** Listens on a unix path, or on an abstract name bound with its exact length (so libqmi/libmbim reach it). */
export function listenUnix(server: net.Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (isAbstract(path)) {
      let fd: number;
      try {
        fd = native().abstractListen(abstractName(path));
      } catch (e) {
        reject(e);
        return;
      }
      server.listen({ fd }, () => resolve());
    } else server.listen(path, () => resolve());
  });
}
