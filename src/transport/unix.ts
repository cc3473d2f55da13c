import net from 'node:net';
import { StreamTransport } from './stream.js';
import type { Transport } from './types.js';

/** Connects to a unix stream socket; a path starting with `\0` (or `@`) is an abstract name. */
export function connectUnix(path: string): Promise<Transport> {
  const target = path.startsWith('@') ? `\0${path.slice(1)}` : path;
  const shown = target.startsWith('\0') ? `unix:@${target.slice(1)}` : `unix:${target}`;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: target });
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(new StreamTransport(sock, shown));
    });
    sock.once('error', reject);
  });
}
