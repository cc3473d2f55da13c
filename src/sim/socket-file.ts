/**
 * The simulator's socket files. A simulator killed with SIGKILL leaves them behind; the next one in the
 * same folder takes them over, but only a socket nobody answers on: a regular file, a symlink or a
 * live simulator's socket is never removed.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';

/** Why a path cannot be reclaimed, or undefined once it is free (absent, or a stale socket now removed). */
async function reclaim(path: string): Promise<string | undefined> {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return undefined;
  }
  if (!st.isSocket()) return `${path} exists and is not a socket; not touching it`;
  const answered = await new Promise<boolean>((resolve) => {
    const s = net.connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    // ECONNREFUSED: a socket file with no listener, what a killed process leaves.
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code !== 'ECONNREFUSED'));
  });
  if (answered) return `${path} is in use (another simulator runs in this folder?)`;
  unlinkSync(path);
  return undefined;
}

/** Listens on `path` (mode 0660), first removing a stale socket a killed simulator left there. */
export async function listenSocketFile(server: net.Server, path: string): Promise<void> {
  const refused = await reclaim(path);
  if (refused) throw new Error(refused);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o660);
}
