/**
 * The daemon's HTTP API: calls as POST /api/<method> with the token as a bearer header, and the event
 * stream read with fetch (EventSource cannot send headers, and the token must stay out of URLs).
 */
import type { Params, Result, WebMethod } from '../src/daemon/api.js';
import type { DaemonEvent } from './types.js';

const KEY = 'wwankit-token';

/** The token from `#token=…` (then dropped from the address bar), or the one this tab already had. */
export function takeToken(): string | undefined {
  const m = /^#token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(KEY, m[1]!);
    history.replaceState(null, '', '#/');
  }
  return sessionStorage.getItem(KEY) ?? undefined;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(private readonly token: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  /** A method of the daemon's API that the dashboard may call (access `web` in the contract). */
  call<M extends WebMethod>(method: M, ...params: {} extends Params<M> ? [Params<M>?] : [Params<M>]): Promise<Result<M>> {
    return this.post(method, params[0] ?? {});
  }

  /** Every field of one traced message (the dashboard server's own endpoint). */
  describe(protocol: 'qmi' | 'mbim', hex: string): Promise<Record<string, unknown>> {
    return this.post('describe', { protocol, hex });
  }

  private async post<T>(path: string, params: object): Promise<T> {
    const res = await fetch(`/api/${path}`, { method: 'POST', headers: this.headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(params) });
    // The contract's errors carry their name in data; the server's own (HTTP) ones a string code.
    const body = (await res.json()) as { result?: T; error?: { code: number | string; message: string; data?: { name: string } } };
    if (body.error) throw new ApiError(body.error.data?.name ?? String(body.error.code), body.error.message);
    return body.result as T;
  }

  /** The recent control messages as a pcap, saved through a temporary link. */
  async downloadPcap(): Promise<void> {
    const res = await fetch('/api/trace.pcap', { headers: this.headers() });
    if (!res.ok) throw new ApiError('http', `HTTP ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `wwankit-${new Date().toISOString().replace(/[:.]/g, '-')}.pcap`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Reads the event stream until it ends; resolves then (the caller reconnects). */
  async stream(onEvent: (e: DaemonEvent) => void, onOpen: () => void): Promise<void> {
    const res = await fetch('/api/events', { headers: this.headers({ Accept: 'text/event-stream' }) });
    if (res.status === 401) throw new ApiError('unauthorized', 'the token was refused');
    if (!res.ok || !res.body) throw new ApiError('http', `HTTP ${res.status}`);
    onOpen();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (data) onEvent(JSON.parse(data) as DaemonEvent);
      }
    }
  }
}
