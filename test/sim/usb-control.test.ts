/** The USB modem function's control side, without a kernel: SETUP decoding, cdc-wdm's encapsulated messages, NCM requests. */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { EncapsulatedControl, cdcClassRequest, defaultReply, type NtbParameters } from '../../src/sim/usb/cdc-control.js';
import { inDataStage } from '../../src/sim/usb/gadgetfs-gadget.js';
import { configDescriptor, decodeSetup, endpointDescriptor, interfaceDescriptor, mbimFunctional, CDC_MBIM, type SetupPacket } from '../../src/sim/usb/descriptors.js';

const setup = (requestType: number, request: number, length: number, value = 0): SetupPacket => ({ requestType, request, value, index: 4, length });
const SEND = setup(0x21, 0x00, 12);
const GET = (length = 4096): SetupPacket => setup(0xa1, 0x01, length);

describe('USB modem function control', () => {
  it('decodes SETUP packets and never throws on short or odd input', () => {
    expect(decodeSetup(new Uint8Array([0xa1, 0x01, 0, 0, 4, 0, 0, 0x10]))).toEqual({ requestType: 0xa1, request: 1, value: 0, index: 4, length: 4096 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), (b) => {
      const s = decodeSetup(b);
      expect(s === undefined).toBe(b.length < 8);
    }), { numRuns: 200 });
  });

  it('descriptors have the layout the kernel parses (length byte, type, little-endian fields)', () => {
    expect([...interfaceDescriptor({ number: 4, alt: 0, endpoints: 3, cls: 0xff, subClass: 0xff, protocol: 0xff, iInterface: 1 })]).toEqual([9, 4, 4, 0, 3, 0xff, 0xff, 0xff, 1]);
    expect([...endpointDescriptor({ address: 0x82, attributes: 2, maxPacket: 512, interval: 0 })]).toEqual([7, 5, 0x82, 2, 0x00, 0x02, 0]);
    expect([...mbimFunctional({ subtype: CDC_MBIM, bcdMBIM: 0x0100, maxControlMessage: 4096, filters: 32, maxFilterSize: 128, maxSegmentSize: 1500, networkCapabilities: 0 })]).toEqual([12, 0x24, 0x1b, 0, 1, 0, 0x10, 32, 128, 0xdc, 5, 0]);
    const cfg = configDescriptor(2, [new Uint8Array(9), new Uint8Array(7)]);
    expect([...cfg.subarray(0, 5)]).toEqual([9, 2, 25, 0, 2]);
  });

  it('a command goes to the modem; each answer is announced and handed over once, in order', async () => {
    let notified = 0;
    const c = new EncapsulatedControl('usb:test', () => notified++);
    const got: Uint8Array[] = [];
    c.onData((d) => got.push(d));
    const r = c.setup(SEND);
    expect(r && typeof r === 'object' && 'read' in r).toBe(true);
    (r as { read: (d: Uint8Array) => void }).read(new Uint8Array([1, 2, 3]));
    expect(got).toEqual([new Uint8Array([1, 2, 3])]);
    c.write(new Uint8Array([9]));
    c.write(new Uint8Array([8]));
    // One announcement for both; one GET takes both, in order.
    expect(notified).toBe(1);
    expect(c.setup(GET())).toMatchObject({ write: new Uint8Array([9, 8]) });
    // Nothing left: an empty answer, counted.
    expect(c.setup(GET())).toEqual({ write: new Uint8Array(0) });
    expect(c.stats).toMatchObject({ commands: 1, responses: 1, batched: 1, emptyReads: 1 });
    expect(notified).toBe(1);
    await c.close();
    expect(() => c.write(new Uint8Array([1]))).toThrow(/closed/);
  });

  it('an answer the host gave up on (its read killed, or superseded by the next SETUP) is announced and handed over again, in order', () => {
    let notified = 0;
    const c = new EncapsulatedControl('usb:test', () => notified++);
    c.write(new Uint8Array(300).fill(1));
    c.write(new Uint8Array([2]));
    const first = c.setup(GET(256)) as { write: Uint8Array; unsent: () => void };
    expect(first.write.length).toBe(256);
    // The rest waits, announced.
    expect(notified).toBe(2);
    first.unsent();
    expect(c.stats.requeued).toBe(1);
    // The same piece again, then the rest of that message with the next one.
    const again = c.setup(GET(256)) as { write: Uint8Array; unsent: () => void };
    expect(again.write).toEqual(new Uint8Array(256).fill(1));
    expect((c.setup(GET(256)) as { write: Uint8Array }).write).toEqual(new Uint8Array([...new Uint8Array(44).fill(1), 2]));
    // A GET that failed with nothing else waiting is announced anew.
    const before = notified;
    again.unsent();
    expect(notified).toBe(before + 1);
  });

  it('an answer longer than the host reads goes in announced pieces; nobody reading keeps memory bounded', () => {
    let notified = 0;
    const c = new EncapsulatedControl('usb:test', () => notified++);
    c.write(new Uint8Array(600).fill(7));
    expect(notified).toBe(1);
    const first = c.setup(GET(256)) as { write: Uint8Array };
    expect(first.write.length).toBe(256);
    expect(notified).toBe(2);
    expect((c.setup(GET(256)) as { write: Uint8Array }).write.length).toBe(256);
    expect((c.setup(GET(256)) as { write: Uint8Array }).write.length).toBe(88);
    expect(notified).toBe(3);
    for (let i = 0; i < 300; i++) c.write(new Uint8Array([i & 0xff]));
    expect(c.stats.dropped).toBe(300 - 256);
    // One announcement, however many answers wait.
    expect(notified).toBe(4);
  });

  it('cdc-wdm sends no GET right after user space reads (when it would queue behind the next command) unless a burst exceeds one GET; every byte arrives in order', () => {
    // cdc-wdm's count of announcements: the first starts a GET; each further one waits for user space
    // to read what the last GET brought, then starts another.
    fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), (bursts) => {
      let count = 0;
      let getDue = false;
      const c = new EncapsulatedControl('usb:test', () => void (count++ === 0 && (getDue = true)));
      const received: number[] = [];
      const sent: number[] = [];
      let next = 0;
      for (const burst of bursts) {
        // The modem writes the burst before the host's GET comes.
        for (const size of burst) {
          const m = new Uint8Array(size).map(() => next++ & 0xff);
          sent.push(...m);
          c.write(m);
        }
        let getsAfterRead = 0;
        while (getDue) {
          getDue = false;
          received.push(...(c.setup(inDataStage(GET(4096))) as { write: Uint8Array }).write);
          if (count > 0 && --count > 0) {
            getsAfterRead++;
            getDue = true;
          }
        }
        if (burst.reduce((a, b) => a + b, 0) < 256) expect(getsAfterRead).toBe(0);
      }
      expect(received).toEqual(sent);
      void c.close();
    }), { numRuns: 200 });
  });

  it('an announcement the host never fetched is repeated a few times, then left until the host asks', async () => {
    vi.useFakeTimers();
    try {
      let notified = 0;
      const c = new EncapsulatedControl('usb:test', () => notified++);
      c.write(new Uint8Array([1]));
      await vi.advanceTimersByTimeAsync(10_000);
      expect(notified).toBe(6);
      expect(c.stats.reannounced).toBe(5);
      expect(c.setup(GET())).toMatchObject({ write: new Uint8Array([1]) });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(notified).toBe(6);
      await c.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('GadgetFS: an IN request reported at 256 bytes (its cap; cdc-wdm asked 4096) is never answered with a full 256, which would leave the host waiting for more', () => {
    let notified = 0;
    const c = new EncapsulatedControl('usb:test', () => notified++);
    c.write(new Uint8Array(600).fill(7));
    const pieces: number[] = [];
    for (let i = 0; i < 4 && c.stats.responses < 3; i++) pieces.push((c.setup(inDataStage(GET(256))) as { write: Uint8Array }).write.length);
    // Each piece is short of the reported length, so a short packet ends each data stage.
    expect(pieces).toEqual([255, 255, 90]);
    expect(notified).toBe(3);
    // Shorter IN requests and OUT requests are as the host sent them.
    expect(inDataStage(GET(28)).length).toBe(28);
    expect(inDataStage(setup(0x21, 0x00, 300)).length).toBe(300);
  });

  it('NCM requests: NTB parameters as cdc_ncm reads them; the host may lower the input size; unknown IN requests stall', () => {
    const ntb: NtbParameters = { inMaxSize: 16384, outMaxSize: 16384, divisor: 4, alignment: 4, outMaxDatagrams: 32 };
    const p = Buffer.from((cdcClassRequest(setup(0xa1, 0x80, 28), ntb) as { write: Uint8Array }).write);
    expect([p.readUInt16LE(0), p.readUInt16LE(2), p.readUInt32LE(4), p.readUInt32LE(16), p.readUInt16LE(26)]).toEqual([28, 1, 16384, 16384, 32]);
    const set = cdcClassRequest(setup(0x21, 0x86, 4), ntb) as { read: (d: Uint8Array) => void };
    set.read(new Uint8Array([0x00, 0x20, 0, 0]));
    expect(ntb.inMaxSize).toBe(8192);
    expect(cdcClassRequest(setup(0x21, 0x22, 0, 1), undefined)).toHaveProperty('read');
    expect(cdcClassRequest(setup(0xa1, 0x80, 28), undefined)).toBeUndefined();
    expect(defaultReply(setup(0xa1, 0x55, 4))).toBe('stall');
    expect(defaultReply(setup(0x21, 0x55, 0))).toHaveProperty('read');
  });
});
