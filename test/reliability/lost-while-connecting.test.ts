/**
 * Found by the soak: a call the network ended while the connect was still under way (between Start
 * Network / Connect and the address query) was handed to the manager as connected, and the manager,
 * not knowing the session yet, ignored its loss: the bearer stayed "connected" with no call behind it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MbimDevice } from '../../src/mbim/client.js';
import { MbimDriver } from '../../src/modem/mbim-driver.js';
import { QmiDriver } from '../../src/modem/qmi-driver.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { wds } from '../../src/qmi/services/wds.js';
import { PROFILES, type ProfileName } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { managedModem, until, type Managed } from '../support/managed.js';

let sim: Simulator | undefined;
let close: (() => Promise<void>) | undefined;
let managed: Managed<never> | undefined;
afterEach(async () => {
  await close?.();
  await sim?.stop();
  await managed?.stop();
  sim = close = managed = undefined;
});

/** The network ends every call right after it comes up, once. */
function dropNextCall(s: Simulator): void {
  const fw = s.modems[0]!.firmware;
  fw.once('sessionUp', (x) => setImmediate(() => fw.stopSession(x.handle, 'network')));
}

const request = { apn: 'internet', ipType: 'ipv4v6' as const, auth: 'none' as const, linkId: 1 };

describe('a call that ends while connecting', () => {
  it('QMI: the connect fails and leaves no call and no client id', async () => {
    sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'] });
    const driver = new QmiDriver(new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket))), { pipe: 'usb' });
    close = () => driver.close();
    await driver.probe();
    dropNextCall(sim);
    await expect(driver.connect(request)).rejects.toThrow(/ended while connecting \(call ended/);
    await until(() => sim!.modems[0]!.endpoint.clientsOf(wds.id).length === 0);
    expect(sim.modems[0]!.firmware.sessions.size).toBe(0);
  });

  it('MBIM: the connect fails and leaves no session', async () => {
    sim = await Simulator.start({ profile: PROFILES['mbim-usb'] });
    const driver = new MbimDriver(await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket)));
    close = () => driver.close();
    await driver.probe();
    dropNextCall(sim);
    await expect(driver.connect({ ...request, linkId: 0 })).rejects.toThrow(/ended while connecting \(deactivated by the network/);
    expect(sim.modems[0]!.firmware.sessions.size).toBe(0);
  });

  for (const profile of ['qmi-rmnet', 'mbim-usb'] as ProfileName[]) {
    it(`${profile}: a redial whose call ends at once is redialled again until the bearer is really up`, async () => {
      managed = await managedModem({ profile });
      const { sim: s, modem } = managed;
      const b = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
      dropNextCall(s);
      s.fault({ fault: 'disconnect' });
      await until(() => b.reconnects >= 2 && b.status === 'connected' && s.modems[0]!.firmware.sessions.size === 1);
    });
  }
});
