/**
 * Issue 18, finding 1: every redial after a network-initiated disconnect allocated a new WDS client id
 * and never released the old one, until the modem answered ClientIdsExhausted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { wds } from '../../src/qmi/services/wds.js';
import { managedModem, until, type Managed } from '../support/managed.js';

let managed: Managed<never> | undefined;
afterEach(async () => {
  await managed?.stop();
  managed = undefined;
});

describe('client ids across network-initiated disconnects', () => {
  it('stay bounded over 12 disconnects with two sessions up, and every bearer comes back', async () => {
    managed = await managedModem({ profile: 'qmi-rmnet' });
    const { sim, modem } = managed;
    const a = await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const b = await modem.connect({ apns: ['ims'], ipType: 'ipv4v6', multiplex: 'requested' });
    const endpoint = sim.modems[0]!.endpoint;
    const before = endpoint.clientsOf(wds.id).length;
    expect(before).toBe(3); // one for internet, two for dual-stack ims
    for (let i = 0; i < 12; i++) {
      const reconnects = a.reconnects + b.reconnects;
      expect(sim.fault({ fault: 'disconnect' })).toMatchObject({ ok: true, dropped: 3 });
      await until(() => a.reconnects + b.reconnects >= reconnects + 2 && a.status === 'connected' && b.status === 'connected');
      expect(endpoint.clientsOf(wds.id).length).toBe(before);
    }
    expect(sim.modems[0]!.firmware.sessions.size).toBe(3);
  });

  it('a connect that fails releases what it allocated', async () => {
    managed = await managedModem({ profile: 'qmi-rmnet' });
    const { sim, modem } = managed;
    const endpoint = sim.modems[0]!.endpoint;
    await modem.connect({ apns: ['internet'], ipType: 'ipv4', multiplex: 'requested' });
    const held = endpoint.clientsOf(wds.id).length;
    for (let i = 0; i < 40; i++) await expect(modem.connect({ apns: ['nosuch'], ipType: 'ipv4v6', multiplex: 'requested' })).rejects.toThrow(/unknown-apn/);
    expect(endpoint.clientsOf(wds.id).length).toBe(held);
  });

  it('closing the modem releases every client id it holds (DMS, NAS, UIM and WDS)', async () => {
    managed = await managedModem({ profile: 'qmi-rmnet' });
    const { sim, modem } = managed;
    await modem.connect({ apns: ['internet'], ipType: 'ipv4v6', multiplex: 'requested' });
    const endpoint = sim.modems[0]!.endpoint;
    expect(endpoint.allocatedClients()).toBeGreaterThan(0);
    await modem.close();
    expect(endpoint.allocatedClients()).toBe(0);
  });
});
