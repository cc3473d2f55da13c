/**
 * Wake Reason's TLV (MBIMEx 3.0), declared as data: the TLV and its two payloads never throw on
 * arbitrary bytes, round-trip, and lay a wake command out as libmbim reads it (payload at offset 28
 * of the TLV data).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBuffer, type Layout } from '../../src/mbim/schema.js';
import { WakeCommand, WakePacket, WakeTlv, WakeTlvType } from '../../src/mbim/services/ms-basic-connect-extensions.js';
import { arbitrary } from '../support/mbim-arbitrary.js';

const structs: Record<string, Layout> = { WakeTlv, WakeCommand, WakePacket };

describe('wake reason TLV', () => {
  it.each(Object.entries(structs))('%s never throws on arbitrary bytes and round-trips its values', (_name, layout) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        const d = decodeBuffer(layout, bytes);
        if (!d.ok) expect(d.error.offset).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(arbitrary(layout), (value) => {
        const back = decodeBuffer(layout, layout.encode(value as never));
        expect(back.ok && back.value).toEqual(value);
      }),
      { numRuns: 200 },
    );
  });

  it('lays out a wake command as libmbim reads it: UUID, CID, payload offset 28 and size, payload', () => {
    const data = WakeCommand.encode({ service: 'a289cc33-bcbb-8b4f-b6b0-133ec2aae6df', cid: 12, payload: Uint8Array.of(1, 0, 0, 0) });
    const tlv = WakeTlv.encode({ tlvType: WakeTlvType.command, reservedAndPadding: 0, data });
    expect(Buffer.from(tlv).toString('hex')).toBe('1000' + '0000' + '20000000' + 'a289cc33bcbb8b4fb6b0133ec2aae6df' + '0c000000' + '1c000000' + '04000000' + '01000000');
    // A payload whose size runs past the TLV data is refused, not read beyond.
    const short = decodeBuffer(WakeCommand, data.subarray(0, 30));
    expect(short.ok).toBe(false);
  });
});
