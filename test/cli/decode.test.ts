import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { WWAN } from '../support/capture.js';
import { itWithTools } from '../support/tools.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'wwan-decode-'));

// One QMAPv1 downlink transfer: mux 5 carrying a 20-byte IPv4 header-only packet 10.0.0.1 → 10.0.0.2.
const QMAP = '00 05 00 14 45 00 00 14 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02';

describe('wwan decode for data framings', () => {
  it('prints packets with link, type, offset and length', async () => {
    const { stdout } = await run(process.execPath, [WWAN, 'decode', '--as', 'qmap', '--hex', QMAP]);
    expect(JSON.parse(stdout)).toEqual({ packets: [{ link: 5, type: 'ipv4', offset: 4, length: 20, frame: 0, pad: 0, checksum: 'none' }], errors: [] });
  });

  it('reports a truncated frame as an error with its offset and exits 2', async () => {
    const err = (await run(process.execPath, [WWAN, 'decode', '--as', 'qmap', '--hex', QMAP.slice(0, -6)]).catch((e: unknown) => e)) as { code: number; stdout: string };
    expect(err.code).toBe(2);
    expect(JSON.parse(err.stdout).errors[0].offset).toBe(0);
  });

  itWithTools(['tshark'])('writes the IP packets inside as raw IP that tshark reads', async () => {
    const pcap = join(dir, 'qmap.pcap');
    await run(process.execPath, [WWAN, 'decode', '--as', 'qmap', '--hex', QMAP, '--pcap', pcap]);
    const { stdout } = await run('tshark', ['-r', pcap, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst']);
    expect(stdout.trim()).toBe('10.0.0.1\t10.0.0.2');
  });
});

describe('wwan decode --as mbim', () => {
  it('decodes an MBIM OPEN as mbimcli sends it', async () => {
    const { stdout } = await run(process.execPath, [WWAN, 'decode', '--as', 'mbim', '--hex', '01000000 10000000 01000000 00100000']);
    expect(JSON.parse(stdout)).toMatchObject({ type: 'open', length: 16, transactionId: 1, maxControlTransfer: 4096, errors: [] });
  });
});

describe('wwan decode --as sms', () => {
  it('decodes an SMS-DELIVER with its SMSC address; a PDU whose septets run past the end is an error (exit 2)', async () => {
    const pdu = '07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37';
    const { stdout } = await run(process.execPath, [WWAN, 'decode', '--as', 'sms', '--hex', pdu]);
    expect(JSON.parse(stdout)).toMatchObject({ sms: { type: 'deliver', smsc: { value: '+27381000015' }, originator: { value: '27838890001' }, timestamp: '2099-03-29T15:16:59+02:00', userData: { encoding: 'gsm7', text: 'hellohello' } }, errors: [] });
    const err = (await run(process.execPath, [WWAN, 'decode', '--as', 'sms', '--hex', pdu.slice(0, -8)]).catch((e: unknown) => e)) as { code: number; stdout: string };
    expect(err.code).toBe(2);
    expect(JSON.parse(err.stdout).errors[0]).toMatchObject({ code: 'length', field: 'ud' });
  });
});
