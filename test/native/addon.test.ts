/**
 * The addon check on load: a binary built from an older native/ (a checkout whose build/ was not
 * remade) is refused with the missing functions named, instead of failing quietly where the C side
 * changed (a cdc-wdm watch that never said "readable" stalled the daemon's MBIM control path in the VM).
 */
import { describe, expect, it } from 'vitest';
import { checkAddon, native } from '../../src/native/index.js';

describe('native addon check', () => {
  it('accepts this checkout\'s build: every function the source calls is there', () => {
    const addon = native();
    expect(checkAddon(addon, 'build')).toBe(addon);
  });

  it('refuses an addon that lacks functions, naming them and how to rebuild', () => {
    const { watchWritable: _w, packetOpen: _p, ...older } = native();
    expect(() => checkAddon(older, 'build/Release/wwan_native.node')).toThrow(/build\/Release\/wwan_native\.node\) is older than this code: it has no watchWritable, packetOpen\. Rebuild it/);
    expect(() => checkAddon({ ...older, watchWritable: 1 as never, packetOpen: () => ({ fd: 0, ifindex: 0 }) }, 'x')).toThrow(/no watchWritable\./);
  });
});
