/** What a daemon reads from a simulator's control socket never throws, and only well-formed modems pass. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSimEvent, parseSimModems } from '../../src/daemon/sim-control.js';

describe('parseSimModems', () => {
  it('never throws on any line, and keeps only entries with an id, a control protocol, a port socket and a data pipe', () => {
    const entry = fc.record({ id: fc.oneof(fc.string(), fc.constant('modem0'), fc.integer()), control: fc.constantFrom('qmi', 'mbim', 'at', 7), dataPipe: fc.oneof(fc.string(), fc.constant(null)), ports: fc.oneof(fc.constant([]), fc.array(fc.record({ socket: fc.oneof(fc.string(), fc.integer()) }))) }, { requiredKeys: [] });
    const line = fc.oneof(fc.string(), fc.json(), fc.array(entry).map((modems) => JSON.stringify({ ok: true, modems })), fc.anything().map((modems) => JSON.stringify({ modems }) ?? ''));
    fc.assert(
      fc.property(line, (l) => {
        const r = parseSimModems(l);
        for (const m of r ?? []) {
          expect(m.id).toMatch(/^[\w.-]+$/);
          expect(['qmi', 'mbim']).toContain(m.control);
          expect(typeof m.ports[0]!.socket).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
    expect(parseSimModems('{"modems":[{"id":"modem0","control":"qmi","dataPipe":"/d","ports":[{"socket":"/s"}]}]}')).toHaveLength(1);
  });
});

describe('parseSimEvent', () => {
  it('never throws on any line, and passes only port events with a well-formed modem', () => {
    const entry = fc.record({ id: fc.oneof(fc.string(), fc.constant('modem1')), control: fc.constantFrom('qmi', 'mbim', 'at'), dataPipe: fc.string(), ports: fc.array(fc.record({ socket: fc.oneof(fc.string(), fc.integer()) })) }, { requiredKeys: [] });
    const event = fc.record({ event: fc.constantFrom('port-added', 'port-removed', 'other'), modem: fc.oneof(entry, fc.string(), fc.anything()) }, { requiredKeys: [] });
    const line = fc.oneof(fc.string(), fc.json(), event.map((e) => JSON.stringify(e) ?? ''));
    fc.assert(
      fc.property(line, (l) => {
        const e = parseSimEvent(l);
        if (e?.event === 'port-added') expect(['qmi', 'mbim']).toContain(e.modem.control);
        if (e?.event === 'port-removed') expect(e.modem).toMatch(/^[\w.-]+$/);
      }),
      { numRuns: 500 },
    );
    expect(parseSimEvent('{"event":"port-removed","modem":"modem1"}')).toEqual({ event: 'port-removed', modem: 'modem1' });
    expect(parseSimEvent('{"event":"port-removed","modem":"../x y"}')).toBeUndefined();
  });
});
