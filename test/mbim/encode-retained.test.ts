import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocBytes, toHex } from '../../src/wire/index.js';
import { decodeMessage, encodeFragments, encodeMessage, type MbimMessage } from '../../src/mbim/message.js';
import { decodeBuffer } from '../../src/mbim/schema.js';
import { basicConnect } from '../../src/mbim/services/index.js';

// Encoded messages are cut from shared slabs and may be written in place around their buffer. A message
// still queued on a transport (or kept for a retry, a trace, a second host) must keep its bytes whatever
// is encoded after it: perf3's version lost them when a slab filled up (wwan mbimcli sent wrong bytes).
const ipConfig = basicConnect.cids.ipConfiguration.response;
const value = (i: number) => ({
  sessionId: i,
  ipv4ConfigurationAvailable: 15,
  ipv6ConfigurationAvailable: 0,
  ipv4Address: [{ onLinkPrefixLength: 30, address: `10.64.${i & 255}.2` }],
  ipv6Address: [],
  ipv4Gateway: `10.64.${i & 255}.1`,
  ipv6Gateway: undefined,
  ipv4DnsServer: ['10.1.1.1'],
  ipv6DnsServer: [],
  ipv4Mtu: 1500,
  ipv6Mtu: 0,
});

const message = (i: number, buffer: Uint8Array): MbimMessage => ({ type: 'commandDone', transactionId: i + 1, service: basicConnect.uuid, cid: 15, status: 0, buffer });

describe('encoded MBIM messages kept while others are encoded', () => {
  it('keep their bytes across many slabs, back to back, with plain allocations and fragments between them', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1100 }), fc.integer({ min: 0, max: 2 })), { minLength: 60, maxLength: 150 }).map((s) => s.map(([n, k], i): [number, number] => [i % 2 ? 1100 - n : n, k])), (steps) => {
        const kept: [Uint8Array[], string[], number][] = [];
        steps.forEach(([filler, kind], i) => {
          allocBytes(filler).fill(0xee); // another codec's array between two messages
          const buffer = ipConfig.encode(value(i) as never);
          const pieces = kind === 2 ? encodeFragments(message(i, buffer), 64) : [encodeMessage(message(i, buffer))];
          if (kind === 1) encodeMessage({ ...message(i, buffer), type: 'indicateStatus' } as MbimMessage); // the same buffer wrapped twice
          kept.push([pieces, pieces.map((p) => toHex(p, '')), i]);
        });
        for (const [pieces, hexes, i] of kept) {
          expect(pieces.map((p) => toHex(p, ''))).toEqual(hexes);
          if (pieces.length === 1) {
            const m = decodeMessage(pieces[0]!);
            expect(m.ok && m.value.type === 'commandDone' && m.value.transactionId).toBe(i + 1);
            expect(m.ok && 'buffer' in m.value && decodeBuffer(ipConfig, m.value.buffer)).toEqual({ ok: true, value: value(i) });
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('is the same bytes as a message wrapped around a copy of its buffer', () => {
    for (let i = 0; i < 300; i++) {
      const buffer = ipConfig.encode(value(i) as never);
      const viaCopy = encodeMessage(message(i, Uint8Array.from(buffer)));
      expect(toHex(encodeMessage(message(i, buffer)), '')).toBe(toHex(viaCopy, ''));
    }
  });
});
