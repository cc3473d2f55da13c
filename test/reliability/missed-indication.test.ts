/**
 * Found by the soak: a call-ended indication lost on the way (here: dropped by the simulator) left the
 * bearer "connected" with no call behind it, for good. Connected bearers' calls are now checked with
 * the modem now and then, and one found down is redialled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileName } from '../../src/sim/profiles.js';
import { managedModem, until, type Managed } from '../support/managed.js';

let managed: Managed<never> | undefined;
afterEach(async () => {
  await managed?.stop();
  managed = undefined;
});

describe('a lost call-ended indication', () => {
  for (const profile of ['bam-dmux', 'mbim-usb'] as ProfileName[]) {
    it(`${profile}: the bearer is found down by the next check and redialled`, async () => {
      managed = await managedModem({ profile, modem: { monitorMs: 300 } });
      const { sim, modem } = managed;
      const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
      const fw = sim.modems[0]!.firmware;
      const control = sim.modems[0]!.control;
      let dropped = 0;
      // The next frame to the host is the disconnect's indication: it never arrives.
      control.outboundFault = () => (dropped++ === 0 ? false : true);
      expect(sim.fault({ fault: 'disconnect' })).toMatchObject({ ok: true, dropped: 1 });
      await new Promise((r) => setTimeout(r, 50));
      expect(dropped).toBeGreaterThan(0);
      control.outboundFault = undefined;
      await until(() => a.reconnects === 1 && a.status === 'connected' && fw.sessions.size === 1, 8000);
    });
  }
});
