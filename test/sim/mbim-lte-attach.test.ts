/**
 * The simulated MBIM function's LTE attach (MS Basic Connect Extensions): the real mbimcli 1.28 and
 * `wwan mbimcli` read the same configurations and attach info, which are the firmware's LTE attach
 * profile (what QMI's WDS shows); a set changes that profile and keeps the roaming configurations;
 * packet service detach shows as detached.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { MbimDevice } from '../../src/mbim/client.js';
import { AuthProtocol, ContextIpType } from '../../src/mbim/services/basic-connect.js';
import { LteAttachContextRoamingControl, msBasicConnectExtensions } from '../../src/mbim/services/ms-basic-connect-extensions.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { mbimcliPair } from '../support/mbimcli-pair.js';
import { itWithTools } from '../support/tools.js';

const it = itWithTools(['mbimcli']);
const ext = msBasicConnectExtensions.cids;

describe('LTE attach on the simulated MBIM function', () => {
  let sim: Simulator;
  let dev: string;
  const fw = () => sim.modems[0]!.firmware;
  const attachProfile = () => fw().profiles.find((p) => p.index === fw().dataSettings.attachProfiles[0])!;
  const { same } = mbimcliPair(() => dev);

  beforeAll(async () => {
    sim = await Simulator.start({ profile: PROFILES['mbim-usb'], seed: 17, log: () => undefined });
    dev = sim.modems[0]!.ports[0]!.path;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('answers the configurations and the attach info from the attach profile; detached after a packet service detach', async () => {
    const config = await same('--ms-query-lte-attach-configuration');
    expect(config.code, config.stderr).toBe(0);
    // Home, partner and non-partner, the home one the attach profile's APN.
    expect(config.stdout.match(/Roaming: +(home|partner|non-partner)\n/g)).toHaveLength(3);
    expect(config.stdout).toMatch(new RegExp(`Roaming: +home\\n.*\\n  Access string: ${attachProfile().apn}\\n`));
    const info = await same('--ms-query-lte-attach-info');
    expect(info.stdout).toMatch(/Attach state: +attached\n/);
    expect(info.stdout).toMatch(new RegExp(`Access string: ${attachProfile().apn}\\n`));
    expect((await same('--detach-packet-service')).code).toBe(0);
    expect(fw().packetAttached).toBe(false);
    expect((await same('--ms-query-lte-attach-info')).stdout).toMatch(/Attach state: +detached\n/);
    expect((await same('--attach-packet-service')).code).toBe(0);
    expect((await same('--ms-query-lte-attach-info')).stdout).toMatch(/Attach state: +attached\n/);
  }, 120_000);

  it('a set changes the home configuration, which is the attach profile, and keeps the roaming ones', async () => {
    const d = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
    try {
      const R = LteAttachContextRoamingControl.names;
      const before = (await d.query(ext.lteAttachConfiguration)).configurations;
      const configurations = before.map((c) =>
        c.roaming === R.home ? { ...c, accessString: 'attach.example', ipType: ContextIpType.names.ipv4, userName: 'joe', password: 'pw', authProtocol: AuthProtocol.names.pap, source: 1 } : { ...c, accessString: `roam-${c.roaming}` },
      );
      const after = (await d.set(ext.lteAttachConfiguration, { operation: 0, configurations })).configurations;
      expect(attachProfile()).toMatchObject({ apn: 'attach.example', family: 'ipv4', username: 'joe', password: 'pw', auth: 'pap' });
      expect(after.map((c) => [c.roaming, c.accessString])).toEqual([[R.home, 'attach.example'], [R.partner, `roam-${R.partner}`], [R['non-partner'], `roam-${R['non-partner']}`]]);
      // Restoring factory settings is not something the simulated function does.
      await expect(d.set(ext.lteAttachConfiguration, { operation: 1, configurations: [] })).rejects.toThrow(/OperationNotAllowed/);
    } finally {
      await d.close();
    }
  }, 60_000);
});
