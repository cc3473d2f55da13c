import { closeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { native } from '../native/index.js';
import { StreamTransport } from './stream.js';
import type { Transport } from './types.js';

/**
 * A raw pseudo-terminal standing in for a modem's control character device: `path` (the slave) is
 * what qmicli/mbimcli open with `-d`; `transport` is our end (the master).
 */
export interface PtyPort {
  readonly path: string;
  readonly transport: Transport;
  close(): Promise<void>;
}

export function createPty(): PtyPort {
  const { master, slave, path } = native().openPty();
  const transport = new StreamTransport(new ReadStream(master), `pty:${path}`);
  let slaveFd: number | null = slave;
  return {
    path,
    transport,
    async close() {
      await transport.close();
      // Holding the slave open keeps the master readable between clients (no EIO when one exits).
      if (slaveFd !== null) closeSync(slaveFd);
      slaveFd = null;
    },
  };
}
