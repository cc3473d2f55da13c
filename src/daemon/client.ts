/** A client of the daemon's API (the CLI uses it): JSON-RPC 2.0 over the unix socket, typed by api.ts. */
import { createInterface } from 'node:readline';
import net from 'node:net';
import { errorName, type ApiEvent, type ErrorName, type Method, type Params, type Result } from './api.js';

/** An error answer from the daemon (its declared name and message), or `unreachable`/`forbidden` when it cannot be asked. */
export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  constructor(readonly code: ErrorName | 'unreachable' | 'forbidden', message: string) {
    super(message);
  }
}

interface Answer {
  id?: number | string | null;
  result?: unknown;
  error?: { code: number; message: string };
  method?: string;
  params?: unknown;
}

/** A client of the daemon's socket API (what `wwan` uses): requests, answers and subscribed events. */
export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly eventListeners: ((e: ApiEvent) => void)[] = [];

  private constructor(private readonly sock: net.Socket) {
    createInterface({ input: sock, crlfDelay: Infinity })
      // A vanished peer's socket error comes back through readline too; the socket's close handles it.
      .on('error', () => undefined)
      .on('line', (line) => {
        const msg = JSON.parse(line) as Answer;
        if (msg.method === 'event') {
          for (const l of this.eventListeners) l(msg.params as ApiEvent);
          return;
        }
        const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
        if (!p) {
          // An answer to no request of ours (e.g. `busy` at connect): the daemon closes next.
          if (msg.error && msg.id === null) for (const q of this.pending.values()) q.reject(new DaemonError(errorName(msg.error.code), msg.error.message));
          return;
        }
        this.pending.delete(msg.id as number);
        if (msg.error) p.reject(new DaemonError(errorName(msg.error.code), msg.error.message));
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

  call<M extends Method>(method: M, ...params: {} extends Params<M> ? [Params<M>?] : [Params<M>]): Promise<Result<M>> {
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.sock.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: params[0] ?? {} })}\n`);
    });
  }

  onEvent(listener: (e: ApiEvent) => void): void {
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
