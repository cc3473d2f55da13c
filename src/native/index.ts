/** Loads our small N-API addon (native/wwan_native.c), built by node-gyp at `npm ci`. */
import { createRequire } from 'node:module';

export interface NativeAddon {
  /** A raw-mode pseudo-terminal pair; the caller owns both fds. */
  openPty(): { master: number; slave: number; path: string };
}

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (!addon) {
    const require = createRequire(import.meta.url);
    try {
      addon = require('../../build/Release/wwan_native.node') as NativeAddon;
    } catch (e) {
      throw new Error(`wwankit's native addon is not built (run \`npm ci\` or \`npx node-gyp rebuild\`): ${(e as Error).message}`);
    }
  }
  return addon;
}
