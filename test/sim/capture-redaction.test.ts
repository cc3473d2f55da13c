/**
 * Regression (issue 18, finding 4): a capture masks PINs in a copy. The simulator with --pcap must still
 * decode the PIN it was sent, and the capture must still not hold it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { managedModem, type Managed } from '../support/managed.js';

let managed: Managed<never> | undefined;
const dir = mkdtempSync(join(tmpdir(), `wwan-redact-${process.pid}-`));

afterEach(async () => {
  await managed?.stop();
  managed = undefined;
});

describe('captures mask a copy, never the bytes the simulator decodes', () => {
  for (const [profile, encoding] of [['qmi-usb', 'latin1'], ['mbim-usb', 'utf16le']] as const) {
    it(`${profile}: the right PIN unlocks with --pcap, and the capture has no PIN`, async () => {
      const pcap = join(dir, `${profile}.pcap`);
      managed = (await managedModem({ profile, firmware: { pinLocked: true, pin: '7315' }, modem: { pin: '7315' }, sim: { pcap } })) as Managed<never>;
      await managed.modem.probe();
      expect(managed.modem.info?.sim.status).toBe('ready');
      expect(managed.sim.modems[0]!.firmware.simState).toBe('ready');
      await managed.stop();
      managed = undefined;
      const bytes = readFileSync(pcap);
      expect(bytes.length).toBeGreaterThan(1000);
      expect(bytes.includes(Buffer.from('7315', encoding))).toBe(false);
      expect(bytes.includes(Buffer.from('****', encoding))).toBe(true);
    });
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
