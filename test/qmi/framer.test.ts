import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QmuxFramer } from '../../src/qmi/framer.js';
import { encodeQmux } from '../../src/qmi/qmux.js';
import { toHex } from '../../src/wire/hex.js';

const frameArb = fc
  .record({
    service: fc.integer({ min: 0, max: 255 }),
    clientId: fc.integer({ min: 0, max: 255 }),
    transaction: fc.integer({ min: 1, max: 255 }),
    messageId: fc.integer({ min: 0, max: 0xffff }),
    tlvs: fc.uint8Array({ maxLength: 64 }),
  })
  .map((f) => encodeQmux({ ...f, type: 'request' }));

function collect(chunks: Uint8Array[]): { frames: string[]; framer: QmuxFramer } {
  const frames: string[] = [];
  const framer = new QmuxFramer({ frame: (f) => frames.push(toHex(f)) });
  for (const c of chunks) framer.push(c);
  return { frames, framer };
}

/** Cuts a byte string at the given points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe('QmuxFramer', () => {
  it('reassembles frames split across reads and splits merged reads', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (frames, cuts) => {
        const { frames: got, framer } = collect(split(concat(frames), cuts));
        expect(got).toEqual(frames.map((f) => toHex(f)));
        expect(framer.buffered).toBe(0);
        expect(framer.stats.garbageBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('skips garbage without a marker, counts it, and resyncs on the next frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }).map((g) => g.map((b) => (b === 1 ? 0 : b))), frameArb, (garbage, frame) => {
        const { frames, framer } = collect([garbage, frame]);
        expect(frames).toEqual([toHex(frame)]);
        expect(framer.stats.garbageBytes).toBe(garbage.length);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a header whose lengths disagree at once, without waiting for the bytes it claims', () => {
    const good = encodeQmux({ service: 2, clientId: 1, type: 'request', transaction: 1, messageId: 0x25, tlvs: new Uint8Array() });
    const lying = good.slice();
    lying[1] = 0xff; // QMUX length 0x00ff, TLV length 0
    lying[2] = 0x00;
    const { frames, framer } = collect([lying, good]);
    expect(frames).toEqual([toHex(good)]);
    // The lying header and every 0x01 inside it that looked like a marker are rejected and skipped.
    expect(framer.stats.badHeaders).toBeGreaterThanOrEqual(1);
    expect(framer.stats.garbageBytes).toBe(lying.length);
    expect(framer.buffered).toBe(0);
  });

  it('rejects a length below the smallest frame', () => {
    const { frames, framer } = collect([new Uint8Array([0x01, 0x02, 0x00, 0x00])]);
    expect(frames).toEqual([]);
    expect(framer.stats.badHeaders).toBe(1);
  });

  it('never throws and keeps its buffer bounded on any bytes, and still finds a frame that follows', () => {
    const trailer = encodeQmux({ service: 0, clientId: 0, type: 'request', transaction: 9, messageId: 0x27, tlvs: new Uint8Array() });
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        const { frames, framer } = collect(chunks);
        // A frame is at most 65536 bytes; the framer never holds more than one frame's worth.
        expect(framer.buffered).toBeLessThanOrEqual(65536);
        framer.push(new Uint8Array(70000)); // zeros: no marker, flushes any partial frame's claim
        framer.push(trailer);
        expect(frames.length).toBeGreaterThanOrEqual(0);
        expect(frames.at(-1)).toBe(toHex(trailer));
      }),
      { numRuns: 200 },
    );
  });
});
