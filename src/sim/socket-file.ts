/**
 * The simulator's socket files. A simulator killed with SIGKILL leaves them behind; the next one in the
 * same folder takes them over, but only a socket nobody answers on: a regular file, a symlink or a
 * live simulator's socket is never removed (the daemon's own rule, `claimSocketPath`).
 */
import { chmodSync } from 'node:fs';
import net from 'node:net';
import { claimSocketPath, SocketPathError } from '../transport/socket-path.js';

/** Listens on `path` (mode 0660), first removing a stale socket a killed simulator left there. */
export async function listenSocketFile(server: net.Server, path: string): Promise<void> {
  await claimSocketPath(path).catch((e: unknown) => {
    throw e instanceof SocketPathError && e.reason === 'in-use' ? new Error(`${path} is in use (another simulator runs in this folder?)`) : e;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o660);
}
