import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/wire/index.js';
import {
  decodePdu, encodePdu, gsm7Septets, gsm7Text, packSeptets, parseAddress, relativeValidity, relativeValidityMinutes, septetBytes, splitContent, submitPdus, timestampIso, unpackSeptets,
  type SmsPdu, type SmsDeliver, type SmsSubmit,
} from '../../src/sms/index.js';

const hex = (s: string): Uint8Array => fromHex(s)!;
const decoded = (s: string): SmsPdu => {
  const r = decodePdu(hex(s));
  if (!r.ok) throw r.error;
  return r.value;
};

describe('specification and well-known vectors', () => {
  it('packs "hellohello" into the septets every GSM text shows (TS 23.038 §6.1.2.1.1)', () => {
    const s = gsm7Septets('hellohello')!;
    const out = new Uint8Array(septetBytes(s.length));
    packSeptets(s, out);
    expect(toHex(out, '')).toBe('e8329bfd4697d9ec37');
    expect(gsm7Text(unpackSeptets(out, s.length))).toBe('hellohello');
  });

  it('decodes an SMS-SUBMIT with a relative validity period', () => {
    const p = decoded('0011000B916407281553F80000AA0AE8329BFD4697D9EC37') as SmsSubmit;
    expect(p.type).toBe('submit');
    expect(p.smsc).toBeUndefined();
    expect(p.destination).toEqual({ type: 'international', value: '+46708251358' });
    expect(p.validity).toEqual({ relativeMinutes: 4 * 24 * 60 });
    expect(p.userData).toEqual({ encoding: 'gsm7', text: 'hellohello' });
    // And back to the same bytes.
    const again = encodePdu(p);
    expect(again.ok && toHex(again.value, '').toUpperCase()).toBe('0011000B916407281553F80000AA0AE8329BFD4697D9EC37');
  });

  it('decodes an SMS-DELIVER with its SMSC address and time stamp', () => {
    const p = decoded('07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37') as SmsDeliver;
    expect(p.type).toBe('deliver');
    expect(p.smsc).toEqual({ type: 'international', value: '+27381000015' });
    expect(p.originator.value).toBe('27838890001');
    expect(timestampIso(p.timestamp)).toBe('2099-03-29T15:16:59+02:00');
    expect(p.userData.text).toBe('hellohello');
    expect(p.moreMessages).toBe(false);
  });

  it('encodes the GSM extension table as escape pairs and UCS-2 as UTF-16BE', () => {
    expect(gsm7Septets('€[]')).toEqual([0x1b, 0x65, 0x1b, 0x3c, 0x1b, 0x3e]);
    const p = encodePdu({ type: 'submit', reference: 0, destination: { type: 'international', value: '+12' }, pid: 0, statusReportRequest: false, userData: { encoding: 'ucs2', text: 'Привет' } }, { smsc: false });
    expect(p.ok && toHex(p.value, '')).toBe('01000291210008' + '0c' + '041f04400438043204350442');
  });

  it('alphanumeric originators pack their name in GSM 7-bit', () => {
    const d: SmsDeliver = { type: 'deliver', originator: { type: 'alphanumeric', value: 'wwankit' }, pid: 0, timestamp: { year: 2026, month: 12, day: 4, hour: 5, minute: 6, second: 7, offsetMinutes: -90 }, userData: { encoding: 'gsm7', text: 'hi' } };
    const bytes = encodePdu(d);
    expect(bytes.ok).toBe(true);
    const back = decodePdu(bytes.ok ? bytes.value : new Uint8Array());
    expect(back.ok && back.value).toMatchObject({ originator: { type: 'alphanumeric', value: 'wwankit' }, timestamp: { offsetMinutes: -90 } });
  });

  it('decodes an SMS-STATUS-REPORT', () => {
    const p = decoded('0006' + '2a' + '0b91' + '6407281553f8' + '22105241000080' + '22105241000180' + '00');
    expect(p).toMatchObject({ type: 'status-report', reference: 0x2a, recipient: { value: '+46708251358' }, status: 0 });
  });

  it('validity periods: each relative range round-trips to at least what was asked', () => {
    for (const m of [5, 60, 720, 750, 1440, 2 * 1440, 30 * 1440, 5 * 7 * 1440, 63 * 7 * 1440]) expect(relativeValidityMinutes(relativeValidity(m))).toBeGreaterThanOrEqual(m);
    expect(relativeValidity(5)).toBe(0);
    expect(relativeValidity(4 * 1440)).toBe(0xaa);
  });
});

describe('splitting', () => {
  it('cuts 153 septets, 67 UCS-2 units and 134 octets per part, never inside an escape or surrogate pair', () => {
    const g = splitContent({ text: 'a'.repeat(161) }, 7);
    expect(g.ok && g.value.map((p) => p.text!.length)).toEqual([153, 8]);
    const u = splitContent({ text: 'я'.repeat(71) }, 7);
    expect(u.ok && u.value.map((p) => p.text!.length)).toEqual([67, 4]);
    const d = splitContent({ data: new Uint8Array(141) }, 7);
    expect(d.ok && d.value.map((p) => p.data!.length)).toEqual([134, 7]);
    const esc = splitContent({ text: `${'a'.repeat(152)}€tail`.padEnd(170, 'b') }, 7);
    expect(esc.ok && esc.value[0]!.text!.endsWith('a')).toBe(true);
    const emoji = splitContent({ text: `${'я'.repeat(66)}😀rest`.padEnd(80, 'я') }, 7);
    expect(emoji.ok && emoji.value[1]!.text!.startsWith('😀')).toBe(true);
    expect(emoji.ok && emoji.value[0]!.concat).toEqual({ ref: 7, total: 2, seq: 1, bits: 8 });
  });

  it('uses a 16-bit reference above 255, and every part encodes', () => {
    const r = submitPdus({ destination: parseAddress('+15550001')!, content: { text: '😀'.repeat(150) }, ref: 0x1234 });
    expect(r.ok).toBe(true);
    const parts = r.ok ? r.value.map((b) => decodePdu(b)) : [];
    expect(parts.length).toBe(5);
    for (const p of parts) expect(p.ok && p.value.type === 'submit' && p.value.userData.concat?.bits).toBe(16);
  });

  it('refuses GSM 7-bit for text it cannot carry, and more than 255 parts', () => {
    expect(splitContent({ text: 'Ω😀', encoding: 'gsm7' }, 1).ok).toBe(false);
    expect(splitContent({ data: new Uint8Array(134 * 256) }, 1).ok).toBe(false);
  });
});

const gsmChars = [...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€'];
const gsmText = fc.array(fc.constantFrom(...gsmChars), { maxLength: 400 }).map((a) => a.join(''));
const anyText = fc.string({ unit: 'grapheme', maxLength: 200 });
const address = fc.oneof(
  fc.stringMatching(/^\+[0-9]{1,15}$/).map((value) => ({ type: 'international' as const, value })),
  fc.stringMatching(/^[0-9]{1,15}$/).map((value) => ({ type: 'national' as const, value })),
  fc.array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh0123 '), { minLength: 1, maxLength: 11 }).map((a) => ({ type: 'alphanumeric' as const, value: a.join('') })),
);

function joined(bytes: Uint8Array[]): { text: string; data: number[] } {
  let text = '';
  const data: number[] = [];
  for (const b of bytes) {
    const p = decodePdu(b);
    if (!p.ok || p.value.type === 'status-report') throw new Error('part did not decode');
    text += p.value.userData.text ?? '';
    data.push(...(p.value.userData.data ?? []));
  }
  return { text, data };
}

describe('round trips (fast-check)', () => {
  it('GSM 7-bit text of any length, split and joined', () => {
    fc.assert(
      fc.property(gsmText, address, fc.integer({ min: 0, max: 0xffff }), (text, destination, ref) => {
        const r = submitPdus({ destination, content: { text }, ref });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(joined(r.value).text).toBe(text);
        const first = decodePdu(r.value[0]!);
        expect(first.ok && first.value.type === 'submit' && first.value.destination).toEqual(destination);
      }),
      { numRuns: 150 },
    );
  });

  it('any Unicode text (UCS-2 with surrogate pairs), split and joined', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 255 }), (text, ref) => {
        const r = submitPdus({ destination: { type: 'international', value: '+4912345' }, content: { text, encoding: 'ucs2' }, ref });
        expect(r.ok).toBe(true);
        if (r.ok) expect(joined(r.value).text).toBe(text);
      }),
      { numRuns: 150 },
    );
  });

  it('8-bit data, split and joined', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const r = submitPdus({ destination: { type: 'international', value: '+1' }, content: { data }, ref: 3 });
        expect(r.ok).toBe(true);
        if (r.ok) expect(joined(r.value).data).toEqual([...data]);
      }),
      { numRuns: 100 },
    );
  });

  it('SMS-DELIVER with any time stamp, class and flags', () => {
    const ts = fc.record({
      year: fc.integer({ min: 2000, max: 2099 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }), second: fc.integer({ min: 0, max: 59 }),
      offsetMinutes: fc.integer({ min: -48, max: 56 }).map((q) => q * 15),
    });
    fc.assert(
      fc.property(address, ts, fc.option(fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>, { nil: undefined }), gsmText.map((t) => t.slice(0, 150)), fc.boolean(), (originator, timestamp, cls, text, more) => {
        const p: SmsDeliver = { type: 'deliver', smsc: { type: 'international', value: '+4477' }, originator, pid: 0, timestamp, userData: { encoding: 'gsm7', text }, moreMessages: more, statusReportIndication: false, replyPath: false, ...(cls !== undefined ? { class: cls } : {}) };
        const b = encodePdu(p);
        if (!b.ok) return expect(gsm7Septets(text)!.length).toBeGreaterThan(160);
        const back = decodePdu(b.value);
        expect(back.ok && back.value).toEqual(p);
      }),
      { numRuns: 150 },
    );
  });
});

describe('hostile PDUs: typed errors, never a throw', () => {
  const cases: [string, string, string][] = [
    ['empty', '', 'truncated'],
    ['0-length SMSC, nothing after', '00', 'truncated'],
    ['an SMSC length that lies', '0c91', 'length'],
    ['an address longer than 20 digits', '0004' + '3091', 'length'],
    ['septets crossing the end', '0004' + '0b91' + '6407281553f8' + '0000' + '99309251619580' + '0ae8329b', 'length'],
    ['UDL beyond 160 septets', '0004' + '0b91' + '6407281553f8' + '0000' + '99309251619580' + 'a1' + '00'.repeat(141), 'length'],
    ['a UDH longer than the user data', '0044' + '0b91' + '6407281553f8' + '0004' + '99309251619580' + '04' + '0a000301', 'length'],
    ['an information element overrunning the UDH', '0044' + '0b91' + '6407281553f8' + '0004' + '99309251619580' + '06' + '0500050101' + '00', 'length'],
    ['a header longer than its septets', '0044' + '0b91' + '6407281553f8' + '0000' + '99309251619580' + '02' + '0500', 'length'],
    ['a time stamp that is not decimal', '0004' + '0b91' + '6407281553f8' + '0000' + 'ff309251619580' + '00', 'invalid'],
    ['reserved message type', '0003', 'invalid'],
    ['compressed user data', '0004' + '0b91' + '6407281553f8' + '0020' + '99309251619580' + '00', 'invalid'],
  ];
  for (const [what, bytes, code] of cases) {
    it(what, () => {
      const r = decodePdu(hex(bytes));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(code);
    });
  }

  it('ignores a concatenation element with sequence 0 or beyond its total', () => {
    const p = decoded('0044' + '0b91' + '6407281553f8' + '0004' + '99309251619580' + '07' + '050003010300' + '41');
    expect(p.type === 'deliver' && p.userData.concat).toBeUndefined();
  });

  it('random and mutated bytes decode to a value or an error', () => {
    const valid = submitPdus({ destination: { type: 'international', value: '+4912345' }, content: { text: 'x😀'.repeat(60) }, ref: 9 });
    const seeds = valid.ok ? valid.value : [];
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat()).map(([b, at, v, cut]) => {
        const c = b.slice(0, cut % (b.length + 1));
        if (c.length > 0) c[at % c.length] = v;
        return c;
      })), (bytes) => {
        const r = decodePdu(bytes);
        expect(typeof r.ok).toBe('boolean');
        decodePdu(bytes, { smsc: false });
      }),
      { numRuns: 2000 },
    );
  });
});
