/** A client of the daemon's API (the CLI uses it). */
import { createInterface } from 'node:readline';
import net from 'node:net';
import type { ErrorBody, Method } from './protocol.js';

/** An error answer from the daemon (its code and message), or `unreachable` when there is no daemon to ask. */
export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  constructor(readonly code: ErrorBody['code'] | 'unreachable' | 'forbidden', message: string) {
    super(message);
  }
}

/** A client of the daemon's socket API (what `wwan` uses): requests, answers and subscribed events. */
export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly eventListeners: ((e: Record<string, unknown>) => void)[] = [];

  private constructor(private readonly sock: net.Socket) {
    createInterface({ input: sock, crlfDelay: Infinity })
      // A vanished peer's socket error comes back through readline too; the socket's close handles it.
      .on('error', () => undefined)
      .on('line', (line) => {
      const msg = JSON.parse(line) as { id?: number; result?: unknown; error?: ErrorBody; event?: string };
      if (msg.event !== undefined) {
        for (const l of this.eventListeners) l(msg as Record<string, unknown>);
        return;
      }
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error) p.reject(new DaemonError(msg.error.code, msg.error.message));
      else p.resolve(msg.result);
    });
    sock.on('close', () => {
      for (const p of this.pending.values()) p.reject(new DaemonError('unreachable', 'the daemon closed the connection'));
      this.pending.clear();
    });
  }

  static connect(path: string): Promise<DaemonClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(path, () => resolve(new DaemonClient(sock)));
      sock.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          // A daemon is there, but this user may not talk to it: say so, not "no daemon".
          e.code === 'EACCES' || e.code === 'EPERM'
            ? new DaemonError('forbidden', `permission denied on the daemon's socket ${path}: run as root or as a member of its group (wwan daemon --socket-group)`)
            : new DaemonError('unreachable', `no daemon at ${path} (${e.code ?? e.message}); start one with \`wwan daemon\``),
        ),
      );
    });
  }

  call<T = unknown>(method: Method, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.sock.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  onEvent(listener: (e: Record<string, unknown>) => void): void {
    this.eventListeners.push(listener);
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Where the daemon listens unless told otherwise. */
export function defaultSocket(): string {
  if (process.env.WWAN_SOCKET) return process.env.WWAN_SOCKET;
  if (process.getuid?.() === 0) return '/run/wwankit/wwand.sock';
  return `${process.env.XDG_RUNTIME_DIR ?? '/tmp'}/wwankit-${process.getuid?.() ?? 'user'}.sock`;
}
