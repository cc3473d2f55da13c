/**
 * Claiming a filesystem path for a listening unix socket. Only a stale socket is ever removed (one
 * whose connect is refused: its listener died); a file, a symlink, a folder or a socket someone
 * answers on is left alone and refused, so a mistyped --socket never deletes anything.
 */
import { lstatSync, unlinkSync, type Stats } from 'node:fs';
import net from 'node:net';

export class SocketPathError extends Error {
  override readonly name = 'SocketPathError';
  constructor(
    readonly reason: 'in-use' | 'not-a-socket',
    message: string,
  ) {
    super(message);
  }
}

function kind(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  return 'not a socket';
}

/** Whether a socket answers: only ECONNREFUSED means no listener; any other failure is not proof of death. */
function probe(path: string): Promise<'alive' | 'stale' | 'unknown'> {
  return new Promise((resolve) => {
    const s = net.connect(path, () => {
      s.destroy();
      resolve('alive');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'stale' : e.code === 'ENOENT' ? 'stale' : 'unknown'));
  });
}

/** Makes `path` free for listen(): absent already, or a stale socket (removed). Anything else throws. */
export async function claimSocketPath(path: string): Promise<void> {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!st.isSocket()) throw new SocketPathError('not-a-socket', `${path} is ${kind(st)}, not a socket; refusing to replace it (remove it yourself or choose another path)`);
  const state = await probe(path);
  if (state !== 'stale') throw new SocketPathError('in-use', `something is listening on ${path}${state === 'unknown' ? ' (or it cannot be probed)' : ''}`);
  unlinkSync(path);
}
