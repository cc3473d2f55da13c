/** Faults injected into a running simulator, seen through our own QMI client over the modem's unix socket. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QmiDevice, QmiTimeoutError } from '../../src/qmi/client.js';
import { QmiProtocolErrorResponse } from '../../src/qmi/errors.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { nas } from '../../src/qmi/services/nas.js';
import { wds } from '../../src/qmi/services/wds.js';
import { dms } from '../../src/qmi/services/dms.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';

let sim: Simulator;
let dev: QmiDevice;
const logs: string[] = [];

beforeEach(async () => {
  sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'], seed: 3, log: (l) => logs.push(l) });
  dev = new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket)), { timeoutMs: 500 });
});

afterEach(async () => {
  await dev.close();
  await sim.stop();
});

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('simulator faults', () => {
  it('signal loss: a serving-system indication says searching and the call drops; recovery registers again', async () => {
    const n = await dev.allocateClient(nas);
    const w = await dev.allocateClient(wds);
    const states: number[] = [];
    n.on(nas.indications.servingSystem, (v) => states.push(v.servingSystem.registrationState));
    const status: number[] = [];
    w.on(wds.indications.packetServiceStatus, (v) => status.push(v.connectionStatus.status));
    await w.request(wds.messages.startNetwork, { apn: 'internet', ipFamilyPreference: 4 });
    expect(sim.fault({ fault: 'signal-loss' })).toEqual({ ok: true, registration: 'searching' });
    await wait(30);
    expect(states).toContain(2); // not-registered-searching
    expect(status.at(-1)).toBe(1); // disconnected
    await expect(w.request(wds.messages.getCurrentSettings, { requestedSettings: 0xe330 })).rejects.toThrow(QmiProtocolErrorResponse);
    sim.fault({ fault: 'signal-loss', on: false });
    await wait(30);
    expect(states.at(-1)).toBe(1);
  });

  it('network-initiated disconnect tells the owning client with a call-end reason', async () => {
    const w = await dev.allocateClient(wds);
    const ends: (number | undefined)[] = [];
    w.on(wds.indications.packetServiceStatus, (v) => v.connectionStatus.status === 1 && ends.push(v.callEndReason));
    const { packetDataHandle } = await w.request(wds.messages.startNetwork, { apn: 'internet' });
    expect(sim.fault({ fault: 'disconnect', handle: packetDataHandle })).toEqual({ ok: true, dropped: 1 });
    await wait(30);
    expect(ends).toEqual([5]); // generic-release-normal
    expect((await w.request(wds.messages.getPacketServiceStatus, {})).connectionStatus).toBe(1);
  });

  it('reset: old client ids are refused, new ones work', async () => {
    const d = await dev.allocateClient(dms);
    sim.fault({ fault: 'reset' });
    await wait(30);
    // The unix-socket client is disconnected by the reset; reconnect as a host would.
    const again = new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket)), { timeoutMs: 500 });
    const stale = await again.allocateClient(dms, { cid: d.cid });
    const err = await stale.request(dms.messages.getModel, {}).catch((e: unknown) => e);
    expect((err as QmiProtocolErrorResponse).errorName).toBe('InvalidClientId');
    const fresh = await again.allocateClient(dms);
    expect((await fresh.request(dms.messages.getModel, {})).model).toBe('RM500Q-GL');
    await again.close();
  });

  it('dropped responses time out with the message named, then the modem answers again', async () => {
    const d = await dev.allocateClient(dms);
    sim.fault({ fault: 'drop-responses', count: 1 });
    await expect(d.request(dms.messages.getModel, {})).rejects.toThrow(QmiTimeoutError);
    expect((await d.request(dms.messages.getModel, {})).model).toBe('RM500Q-GL');
  });

  it('malformed control frames and an indication storm leave the client usable', async () => {
    const d = await dev.allocateClient(dms);
    const n = await dev.allocateClient(nas);
    let seen = 0;
    n.on(nas.indications.servingSystem, () => seen++);
    sim.fault({ fault: 'malformed-control' });
    expect(sim.fault({ fault: 'indication-storm', count: 2000 })).toEqual({ ok: true, sent: 2000 });
    expect((await d.request(dms.messages.getModel, {})).model).toBe('RM500Q-GL');
    await wait(50);
    expect(seen).toBe(2000);
    expect(dev.port.framing!.garbageBytes).toBeGreaterThan(0);
  });

  it('answers unknown faults and bad arguments with a clear error', () => {
    expect(sim.fault({ fault: 'nope' })).toMatchObject({ ok: false, error: expect.stringContaining('unknown fault') });
    expect(sim.fault({ fault: 'flow-control', mux: 999 })).toMatchObject({ ok: false, error: expect.stringContaining('mux must be') });
    expect(sim.fault({ fault: 'reset', modem: 'modem9' })).toMatchObject({ ok: false, error: expect.stringContaining('no modem') });
  });
});

describe('faults from the command line', () => {
  it('wwan sim --fault applies a fault before the ready line, and refuses an unknown one', async () => {
    const { startSim } = await import('../support/sim-process.js');
    const { nas: nasService } = await import('../../src/qmi/services/nas.js');
    const p = await startSim(['--profile', 'qmi-usb', '--fault', 'signal-loss']);
    try {
      const d = new QmiDevice(qmuxPort(await connectUnix(p.ready.modems[0]!.ports[0]!.socket)));
      const n = await d.allocateClient(nasService);
      expect((await n.request(nasService.messages.getServingSystem, {})).servingSystem.registrationState).toBe(2);
      await d.close();
    } finally {
      expect(await p.stop()).toBe(0);
    }
    await expect(startSim(['--profile', 'qmi-usb', '--fault', 'bogus'])).rejects.toThrow(/exited with 2.*unknown fault/s);
  });
});
