/**
 * Basic Connect Device Services lists what the simulated function answers: its list is derived from
 * the endpoint's handlers. The real mbimcli 1.28 shows every handled CID, and every CID listed is
 * answered (a status other than NoDeviceSupport) over the wire; a CID MBIMEx 3.0 brought is listed
 * only by a function that speaks it.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { MbimDevice } from '../../src/mbim/client.js';
import { MbimStatus, QUERY, SET } from '../../src/mbim/protocol.js';
import { basicConnect } from '../../src/mbim/services/basic-connect.js';
import { msBasicConnectExtensions } from '../../src/mbim/services/ms-basic-connect-extensions.js';
import { services } from '../../src/mbim/services/index.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { exec } from '../support/mbimcli-pair.js';
import { itWithTools } from '../support/tools.js';

const it = itWithTools(['mbimcli']);

const start = (mbimex: number): Promise<Simulator> => {
  const p = PROFILES['mbim-usb'];
  return Simulator.start({ profile: { ...p, firmware: { ...p.firmware, mbimex } }, seed: 17, log: () => undefined });
};

async function listed(sim: Simulator): Promise<Map<string, number[]>> {
  const d = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
  try {
    const r = await d.query(basicConnect.cids.deviceServices);
    return new Map(r.deviceServices.filter((s) => s.dssPayload === 0).map((s) => [s.deviceServiceId, s.cids]));
  } finally {
    await d.close();
  }
}

describe('Device Services against the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await start(0x0300);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('lists every handled CID, mbimcli shows each, and each listed CID is answered', async () => {
    const ep = sim.modems[0]!.mbim!;
    const list = await listed(sim);
    expect(list).toEqual(ep.answeredCids(0x0300));
    const ext = msBasicConnectExtensions.cids;
    // The ones the brief names, among them MBIMEx 3.0's and device caps.
    for (const c of [ext.pco, ext.lteAttachConfiguration, ext.lteAttachInfo, ext.sysCaps, ext.deviceCaps, ext.deviceSlotMappings, ext.slotInfoStatus, ext.locationInfoStatus,
      ext.provisionedContexts, ext.baseStationsInfo, ext.version, ext.modemConfiguration, ext.registrationParameters, ext.wakeReason])
      expect(list.get(msBasicConnectExtensions.uuid)).toContain(c.id);

    // mbimcli names each service and CID it knows; every one we list appears under its service.
    const r = await exec('mbimcli', ['-d', sim.modems[0]!.ports[0]!.path, '--query-device-services']);
    expect(r.code).toBe(0);
    for (const [uuid, cids] of list) {
      const s = services.find((x) => x.uuid === uuid)!;
      expect(s, uuid).toBeDefined();
      const block = r.stdout.split('\n\n').find((b) => b.includes(`UUID: [${uuid}]:`));
      expect(block, `${s.name} in mbimcli's list`).toBeDefined();
      for (const id of cids) {
        const name = Object.values(s.cids).find((c) => c.id === id)!.name;
        expect(block!, `${s.name} ${name} (${id})`).toMatch(new RegExp(`[ \\t][a-z0-9-]+ \\(${id}\\)(,|$)`, 'm'));
      }
    }

    // Every CID listed answers: a query where one is handled, else a set with a body too short to act on.
    const d = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
    try {
      const sets = new Set(services.flatMap((s) => Object.values(s.cids).filter((c) => c.set && !c.query).map((c) => `${s.uuid}:${c.id}`)));
      for (const [uuid, cids] of list)
        for (const id of cids) {
          // Device Reset would take the function down under us: its set is the one left out.
          if (uuid === msBasicConnectExtensions.uuid && id === ext.deviceReset.id) continue;
          const commandType = sets.has(`${uuid}:${id}`) ? SET : QUERY;
          const done = await d.command({ service: uuid, cid: id, commandType, buffer: new Uint8Array(commandType === SET ? 1 : 0) }, { timeoutMs: 10_000 });
          expect(done.status, `${uuid} CID ${id}`).not.toBe(MbimStatus.NoDeviceSupport);
        }
    } finally {
      await d.close();
    }
  }, 60_000);

  it('leaves out what only MBIMEx 3.0 brought on a function that speaks MBIM 1.0 alone', async () => {
    const old = await start(0x0100);
    try {
      const ext = msBasicConnectExtensions.cids;
      const cids = (await listed(old)).get(msBasicConnectExtensions.uuid)!;
      expect(cids).toContain(ext.deviceCaps.id);
      for (const c of [ext.modemConfiguration, ext.registrationParameters, ext.wakeReason]) expect(cids).not.toContain(c.id);
    } finally {
      await old.stop();
    }
  });
});
