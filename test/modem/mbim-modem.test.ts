/** The manager with the MBIM driver against the simulator's MBIM profiles: NTB sessions = link ids. */
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectError } from '../../src/modem/types.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import type { ProfileName } from '../../src/sim/profiles.js';
import { managedModem, until, type Managed } from '../support/managed.js';

let managed: Managed<MemoryNetdev> | undefined;
afterEach(async () => {
  await managed?.stop();
  managed = undefined;
});

async function setup(profile: ProfileName) {
  managed = await managedModem({ profile, seed: 5 });
  return managed;
}

function ipv4(tag: number): Uint8Array {
  const p = new Uint8Array(28);
  p.set([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17]);
  p[27] = tag;
  return p;
}

describe('Modem with the MBIM driver', () => {
  it('probes an mbim-usb modem: IMEI, SIM, registration', async () => {
    const { modem, sim } = await setup('mbim-usb');
    const info = await modem.probe();
    expect(info.identity.imei).toBe(sim.modems[0]!.firmware.identity.imei);
    expect(info.sim).toMatchObject({ status: 'ready', iccid: sim.modems[0]!.firmware.identity.iccid, imsi: sim.modems[0]!.firmware.identity.imsi });
    expect(info.registration.state).toBe('home');
  });

  it('unlocks a PIN-locked SIM with the configured PIN, and shows the retries left after a wrong one', async () => {
    managed = await managedModem({ profile: 'mbim-usb', firmware: { pinLocked: true, pin: '1357' }, modem: { pin: '0000' } });
    const logs: string[] = [];
    managed.modem.on('log', (l) => logs.push(l));
    await managed.modem.probe();
    expect(managed.modem.state).toBe('locked');
    expect(managed.modem.info?.sim).toMatchObject({ status: 'pin-required', pinRetries: 2 });
    expect(logs.join('\n')).not.toContain('0000');
    await managed.stop();
    managed = await managedModem({ profile: 'mbim-usb', firmware: { pinLocked: true, pin: '1357' }, modem: { pin: '1357' } });
    await managed.modem.probe();
    expect(managed.modem.info?.sim.status).toBe('ready');
  });

  it('connects sessions on link ids over NTB and carries each link’s packets', async () => {
    const { modem, netdevs } = await setup('iosm');
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const b = await modem.connect({ apns: ['ims'], ipType: 'ipv4v6', multiplex: 'requested', linkId: 7 });
    expect(modem.datapath?.format.framing).toBe('ntb');
    expect([a.linkId, b.linkId]).toEqual([0, 7]);
    expect(a.connected?.ipv4?.address).toMatch(/^10\.64\./);
    expect(b.connected?.ipv6?.address).toMatch(/^2001:db8:64:/);
    const got: number[] = [];
    netdevs.get(7)!.onReceive((p) => got.push(p[27]!));
    netdevs.get(7)!.send(ipv4(42));
    await until(() => got.length === 1);
    expect(got).toEqual([42]);
  });

  it('refuses an unknown APN with what the modem said, and redials after a network disconnect', async () => {
    const { modem, sim } = await setup('mbim-usb');
    await expect(modem.connect({ apns: ['nope'], ipType: 'ipv4', multiplex: 'requested' })).rejects.toThrow(ConnectError);
    const b = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const states: string[] = [];
    modem.on('bearer', (x) => x.id === b.id && states.push(x.status));
    expect(sim.fault({ fault: 'disconnect' })).toMatchObject({ ok: true });
    await until(() => states.at(-1) === 'connected');
    expect(states).toEqual(['reconnecting', 'connected']);
  });
});
