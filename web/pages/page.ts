import type { Api } from '../api.js';
import type { Store } from '../store.js';

export interface Ctx {
  api: Api;
  store: Store;
}

/** A page owns its element and whatever it subscribed to; dispose() lets go of both. */
export interface Page {
  el: HTMLElement;
  dispose(): void;
}

/** Runs `fn` at most once per `ms`, the last call winning: for refetches that events trigger in bursts. */
export function throttle(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}

/** Shows an error where the action happened (and keeps the console clean of handled failures). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
