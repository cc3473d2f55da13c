/** The manager against the simulator: QMI control, QMAP data, two PDNs at once, reconnect. */
import { afterEach, describe, expect, it } from 'vitest';
import { connectRecordPipe } from '../../src/link/data-pipe.js';
import { Modem } from '../../src/modem/modem.js';
import { QmiDriver } from '../../src/modem/qmi-driver.js';
import { ConfigError, ConnectError } from '../../src/modem/types.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { wds } from '../../src/qmi/services/wds.js';
import { qmuxPort } from '../../src/qmi/port.js';
import type { ProfileName } from '../../src/sim/profiles.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { managedModem, until, type Managed } from '../support/managed.js';

let managed: Managed<MemoryNetdev> | undefined;
let sim: Simulator | undefined;
let modem: Modem | undefined;
afterEach(async () => {
  await managed?.stop();
  await modem?.close();
  await sim?.stop();
  managed = modem = sim = undefined;
});

async function setup(profile: ProfileName, opts: { pin?: string } = {}) {
  managed = await managedModem({ profile, modem: opts });
  return { sim: managed.sim, simModem: managed.sim.modems[0]!, modem: managed.modem, netdevs: managed.netdevs };
}

function ipv4Packet(src: string, dst: string, tag: number): Uint8Array {
  const p = new Uint8Array(28);
  p[0] = 0x45;
  p[3] = 28;
  p[8] = 64;
  p[9] = 17;
  p.set(src.split('.').map(Number), 12);
  p.set(dst.split('.').map(Number), 16);
  p[27] = tag;
  return p;
}


describe('Modem with the QMI driver', () => {
  it('probes identity, SIM and registration', async () => {
    const { modem, simModem } = await setup('qmi-rmnet');
    const info = await modem.probe();
    expect(info.identity).toMatchObject({ manufacturer: 'Quectel', model: 'RM500Q-GL', imei: simModem.firmware.identity.imei });
    expect(info.sim).toMatchObject({ status: 'ready', iccid: simModem.firmware.identity.iccid, imsi: simModem.firmware.identity.imsi });
    expect(info.registration).toMatchObject({ state: 'home', operator: { mcc: '001', mnc: '01', name: 'wwankit' }, tech: '5gnr' });
    expect(modem.state).toBe('registered');
  });

  it('brings two PDNs up over QMAPv5 and carries each link’s packets on its own mux id', async () => {
    const { modem, simModem, netdevs } = await setup('qmi-rmnet');
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const b = await modem.connect({ apns: ['ims'], ipType: 'ipv4v6', multiplex: 'requested' });
    expect(modem.datapath?.format).toMatchObject({ framing: 'qmap', version: 5, maxDatagrams: 16, maxBytes: 8192 });
    expect([a.linkId, b.linkId]).toEqual([1, 2]);
    expect(a.connected?.ipv4?.address).toMatch(/^10\.64\./);
    expect(b.connected?.ipv6?.address).toMatch(/^2001:db8:64:/);
    expect([...simModem.firmware.sessions.values()].map((s) => s.linkId).sort()).toEqual([1, 2, 2]);
    const back = new Map<number, number[]>();
    for (const [id, n] of netdevs) n.onReceive((p) => (back.get(id) ?? back.set(id, []).get(id)!).push(p[27]!));
    netdevs.get(1)!.send(ipv4Packet(a.connected!.ipv4!.address, '10.64.255.53', 11));
    netdevs.get(2)!.send(ipv4Packet(b.connected!.ipv4!.address, '10.64.255.53', 22));
    netdevs.get(1)!.send(ipv4Packet(a.connected!.ipv4!.address, '10.64.255.53', 12));
    await until(() => (back.get(1)?.length ?? 0) === 2 && (back.get(2)?.length ?? 0) === 1);
    expect(back.get(1)).toEqual([11, 12]);
    expect(back.get(2)).toEqual([22]);
    expect(simModem.data.counter(1).rxPackets).toBe(2);
    await modem.disconnect(a.id);
    expect(simModem.firmware.sessions.size).toBe(2);
  });

  it('tries the APNs in order and reports what the network said when all fail', async () => {
    const { modem } = await setup('qmi-rmnet');
    const b = await modem.connect({ apns: ['nope', 'internet'], ipType: 'ipv4', multiplex: 'requested' });
    expect(b.connected?.apn).toBe('internet');
    const err = await modem.connect({ apns: ['bad1', 'bad2'], ipType: 'ipv4', multiplex: 'requested' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toContain('unknown-apn (3GPP cause 27)');
    await expect(modem.connect({ apns: ['bad apn!'], ipType: 'ipv4', multiplex: 'none' })).rejects.toThrow(ConfigError);
    expect(modem.bearers.size).toBe(1);
  });

  it('redials a bearer the network dropped', async () => {
    const { modem, sim } = await setup('qmi-rmnet');
    const b = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const states: string[] = [];
    modem.on('bearer', (x) => x.id === b.id && states.push(x.status));
    expect(sim.fault({ fault: 'disconnect' })).toMatchObject({ ok: true, dropped: 1 });
    await until(() => states.at(-1) === 'connected');
    expect(states).toEqual(['reconnecting', 'connected']);
    expect(b.reconnects).toBe(1);
  });

  it('restores every bearer on its link id after a modem reset', async () => {
    const { modem, sim, netdevs, simModem } = await setup('qmi-rmnet');
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const b = await modem.connect({ apns: ['ims'], ipType: 'ipv4', multiplex: 'requested' });
    const oldDriver = modem.driver;
    expect(sim.fault({ fault: 'reset' })).toEqual({ ok: true });
    await until(() => modem.driver !== oldDriver && [a, b].every((x) => x.status === 'connected' && x.reconnects === 1), 5000);
    expect([a.linkId, b.linkId]).toEqual([1, 2]);
    expect(simModem.firmware.sessions.size).toBe(2);
    const got: number[] = [];
    netdevs.get(2)!.onReceive((p) => got.push(p[27]!));
    netdevs.get(2)!.send(ipv4Packet(b.connected!.ipv4!.address, '10.64.0.53', 77));
    await until(() => got.length === 1);
  });

  it('negotiates qmimux (QMAPv1, no uplink aggregation) with a qmi_wwan-era modem', async () => {
    const { modem, netdevs } = await setup('qmi-usb');
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    expect(modem.datapath?.format).toEqual({ framing: 'qmimux' });
    const got: number[] = [];
    netdevs.get(a.linkId)!.onReceive((p) => got.push(p[27]!));
    netdevs.get(a.linkId)!.send(ipv4Packet(a.connected!.ipv4!.address, '8.8.8.8', 7));
    await until(() => got.length === 1);
  });

  it('uses one BAM-DMUX channel per PDN', async () => {
    const { modem, netdevs } = await setup('bam-dmux');
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const b = await modem.connect({ apns: ['ims'], ipType: 'ipv4', multiplex: 'requested' });
    expect(modem.datapath?.format).toEqual({ framing: 'bam-dmux' });
    expect([a.linkId, b.linkId]).toEqual([1, 2]);
    const got: number[] = [];
    netdevs.get(b.linkId)!.onReceive((p) => got.push(p[27]!));
    netdevs.get(b.linkId)!.send(ipv4Packet(b.connected!.ipv4!.address, '8.8.8.8', 9));
    await until(() => got.length === 1);
  });

  it('rolls a connect back when the modem stops answering mid-connect, and connects once it answers again', async () => {
    sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'] });
    const m = sim.modems[0]!;
    const netdevs: string[] = [];
    modem = new Modem('m', new QmiDriver(new QmiDevice(qmuxPort(await connectUnix(m.ports[0]!.socket)), { timeoutMs: 300 }), { pipe: 'usb', startTimeoutMs: 300 }), {
      linkPrefix: 'x',
      netdev: async (n) => (netdevs.push(n), new MemoryNetdev(n)),
      pipe: () => connectRecordPipe(sim!.ready().modems[0]!.data),
    });
    await modem.probe();
    await modem.connect({ apns: ['ims'], ipType: 'ipv4', multiplex: 'requested' });
    // From the next Start Network on, the modem answers nothing.
    m.endpoint.handle(wds.messages.startNetwork, () => new Promise(() => undefined));
    const err = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toMatch(/startNetwork \(0x0020\) timed out/);
    expect(modem.bearers.size).toBe(1);
    expect(netdevs).toEqual(['x1']);
    expect([...modem.datapath!.links.keys()]).toEqual([1]);
    expect(m.endpoint.clientsOf(wds.id)).toHaveLength(1); // the half-made session's client was released
  });

  it('unlocks a PIN-locked SIM with the configured PIN, and refuses to connect without it', async () => {
    sim = await Simulator.start({ profile: { ...PROFILES['qmi-rmnet'], firmware: { ...PROFILES['qmi-rmnet'].firmware, pinLocked: true, pin: '4321' } } });
    const dev = new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket)));
    const logs: string[] = [];
    modem = new Modem('m', new QmiDriver(dev, { pipe: 'usb' }), { linkPrefix: 'x', netdev: async (n) => new MemoryNetdev(n), pin: '0000' });
    modem.on('log', (l) => logs.push(l));
    await modem.probe();
    expect(modem.state).toBe('locked');
    expect(logs.join('\n')).toContain('2 retries left');
    expect(logs.join('\n')).not.toContain('0000');
    await expect(modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'none' })).rejects.toThrow(/SIM is pin-required \(2 PIN retries left\)/);
  });
});
