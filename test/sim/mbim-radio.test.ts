/**
 * The radio and SIM model behind the simulator's MBIM function (issue #17), driven by the real
 * mbimcli 1.28 and by `wwan mbimcli` on the same pty: the same requests must give the same output,
 * and the output must be the model's (cards, PIN lifecycle, operators, slots, cells).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { MbimDevice } from '../../src/mbim/client.js';
import { MbimStatus, MbimStatusError } from '../../src/mbim/protocol.js';
import { basicConnect } from '../../src/mbim/services/basic-connect.js';
import { msUiccLowLevelAccess } from '../../src/mbim/services/ms-uicc-low-level-access.js';
import { ISD_R_AID } from '../../src/sim/sim-card.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { mbimcliPair, type Run } from '../support/mbimcli-pair.js';
import { itWithTools } from '../support/tools.js';

const it = itWithTools(['mbimcli']);


describe('the radio and SIM model over MBIM, with mbimcli 1.28', () => {
  let sim: Simulator;
  let dev: string;
  const fw = () => sim.modems[0]!.firmware;
  const { mbimcli, wwan, both } = mbimcliPair(() => dev);

  beforeAll(async () => {
    // A short scan: real modems take tens of seconds, mbimcli allows two minutes.
    sim = await Simulator.start({ profile: { ...PROFILES['mbim-usb'], firmware: { ...PROFILES['mbim-usb'].firmware, scanMs: 300 } }, seed: 17, log: () => undefined });
    dev = sim.modems[0]!.ports[0]!.path;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('lists PIN1 (disabled), PIN2 (enabled), the personalizations (disabled) and the operators a scan finds, the forbidden one marked', async () => {
    const list = await both('--query-pin-list');
    expect(list).toMatch(/PIN1:\n\t\t {6}Mode: 'disabled'/);
    expect(list).toMatch(/PIN2:\n\t\t {6}Mode: 'enabled'/);
    // The personalizations the modem has, none enabled here (test/modem/mbim-radio.test.ts locks one); no first-SIM lock.
    expect(list).toMatch(/Network PIN:\n\t\t {6}Mode: 'disabled'/);
    expect(list).toMatch(/Corporate PIN:\n\t\t {6}Mode: 'disabled'/);
    expect(list).toMatch(/Device first SIM PIN:\n\t\t {6}Mode: 'not-supported'/);
    const providers = await both('--query-visible-providers');
    const ops = fw().radio.operators;
    expect(providers).toContain(`Visible providers (${ops.length}):`);
    for (const op of ops) expect(providers).toContain(`Provider ID: '${op.mcc}${op.mnc}'`);
    const forbidden = ops.find((o) => o.forbidden)!;
    expect(providers).toMatch(new RegExp(`Provider name: '${forbidden.name}'\\n\\t\\t {10}State: 'forbidden, visible'`));
    expect(providers).toMatch(/State: 'home, visible, registered'/);
  });

  it('blocks PIN1 after three wrong PINs and recovers it with the PUK and a new PIN', async () => {
    expect((await mbimcli('--enable-pin=1234')).stdout).toContain('PIN operation successful');
    for (const left of [2, 1]) {
      const r = await mbimcli('--change-pin=0000,1111');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Failure');
      expect(fw().pinRetries).toBe(left);
    }
    expect((await wwan('--change-pin=0000,1111')).code).toBe(1);
    expect(fw().simState).toBe('puk-required');
    const state = await both('--query-pin-state');
    expect(state).toContain("PIN type: 'puk1'");
    expect(state).toContain("Remaining attempts: '10'");
    // A wrong PUK costs one of ten; the right one sets the new PIN.
    expect((await wwan('--enter-puk=11111111,4321')).code).toBe(1);
    expect(fw().pukRetries).toBe(9);
    const ok = await mbimcli('--enter-puk=12345678,4321');
    expect(ok.stdout).toContain('PIN operation successful');
    expect(ok.stdout).toContain("PIN state: 'unlocked'");
    expect(fw().simState).toBe('ready');
    expect((await wwan('--change-pin=4321,1234')).stdout).toContain('PIN operation successful');
    expect((await mbimcli('--disable-pin=1234')).code).toBe(0);
    expect(fw().card!.pin1.enabled).toBe(false);
  });

  it('refuses manual registration in the forbidden network with its 3GPP cause, registers in another, and back automatically', async () => {
    const forbidden = fw().radio.operators.find((o) => o.forbidden)!;
    const other = fw().radio.operators.find((o) => !o.forbidden && !fw().radio.isHome(o) && o.rats.includes('lte'))!;
    const d = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
    try {
      const refused = await d.set(basicConnect.cids.registerState, { providerId: forbidden.mcc + forbidden.mnc, registerAction: 1, dataClass: 0 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MbimStatusError);
      expect((refused as MbimStatusError).status).toBe(MbimStatus.Failure);
      const denied = await both('--query-registration-state');
      expect(denied).toContain("Network error: 'plmn-not-allowed'");
      expect(denied).toContain("Register state: 'denied'");
      expect(denied).toContain("Register mode: 'manual'");
      const r = await d.set(basicConnect.cids.registerState, { providerId: other.mcc + other.mnc, registerAction: 1, dataClass: 0 });
      expect([r.providerId, r.registerState, r.nwError]).toEqual([other.mcc + other.mnc, 4, 0]); // roaming
      const unknown = await d.set(basicConnect.cids.registerState, { providerId: '99999', registerAction: 1, dataClass: 0 }).catch((e: unknown) => e);
      expect((unknown as MbimStatusError).status).toBe(MbimStatus.ProviderNotVisible);
    } finally {
      await d.close();
    }
    const home = await mbimcli('--register-automatic');
    expect(home.stdout).toContain("Register state: 'home'");
    expect(home.stdout).toContain("Register mode: 'automatic'");
  });

  it('shows the serving LTE cell, its neighbours and the location the model has', async () => {
    const info = fw().radio.cellInfo()!;
    // mbimcli 1.28 prints every neighbour after the first as a copy of the first (libmbim reads them all
    // at one place; fixed in 1.30): those are compared with the model instead.
    const later = /\tNeighboring cell \[(?:[2-9]|\d{2,})\]:\n(?:\t\t.*\n)+/g;
    const real = await mbimcli('--ms-query-base-stations-info');
    const ours = await wwan('--ms-query-base-stations-info');
    expect(ours.stdout.replace(later, '')).toBe(real.stdout.replace(later, ''));
    const cells = ours.stdout;
    const lteNeighbours = info.neighbours.filter((c) => c.rat === 'lte');
    expect(lteNeighbours.length).toBeGreaterThan(1);
    lteNeighbours.forEach((c, i) => expect(cells).toContain(`\tNeighboring cell [${i + 1}]:\n\t\t      Provider id: ${c.mcc}${c.mnc}\n\t\t          Cell id: ${c.cellId}\n`));
    expect(cells).toContain('System type: lte');
    expect(cells).toContain(`\t          Cell id: ${info.serving.cellId}\n\t           EARFCN: ${info.serving.arfcn}\n\t Physical cell id: ${info.serving.pci}\n\t              TAC: ${info.serving.areaCode}`);
    expect(cells).toContain(`Neighboring LTE cells: ${info.neighbours.filter((c) => c.rat === 'lte').length}`);
    const tac = info.serving.areaCode.toString(16).padStart(6, '0').toUpperCase();
    expect(await both('--ms-query-location-info-status')).toContain(` Tracking area code:  ${tac}`);
    expect(await both('--atds-query-location')).toContain(`TAC: ${info.serving.areaCode.toString(16).padStart(4, '0')}`);
    expect((await mbimcli('--ms-query-nitz')).stdout).toMatch(/Date: \d\d\/\d\d\/20\d\d\n.*Time: \d\d:\d\d:\d\d/s);
  });

  it('has two slots, an eUICC in the second, and maps the executor to it (the SIM changes)', async () => {
    expect(await both('--ms-query-sys-caps')).toContain("Number of slots: '2'");
    expect(await both('--ms-query-slot-info-status=0')).toContain("Slot '0': 'state-active'");
    expect(await both('--ms-query-slot-info-status=1')).toContain("Slot '1': 'state-active-esim'");
    expect((await mbimcli('--ms-query-slot-info-status=2')).stderr).toContain('InvalidParameters');
    expect(await both('--ms-query-device-slot-mappings')).toContain("Executor '0': slot '0'");
    const set = await wwan('--ms-set-device-slot-mappings=1');
    expect(set.stdout).toContain("Executor '0': slot '1'");
    expect(fw().activeSlot).toBe(2);
    expect(await both('--query-subscriber-ready-status')).toContain(`SIM ICCID: '${fw().slots[1]!.iccid}'`);
    expect((await mbimcli('--ms-set-device-slot-mappings=5')).code).toBe(1);
    expect((await mbimcli('--ms-set-device-slot-mappings=0')).stdout).toContain("Executor '0': slot '0'");
    expect(fw().activeSlot).toBe(1);
  });

  it('reads the EID from the eUICC\'s ISD-R over MS UICC low-level access: channel, APDUs, close; bad APDUs get status words', async () => {
    const u = msUiccLowLevelAccess.cids;
    const d = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
    try {
      expect((await d.query(u.atr, undefined)).atr[0]).toBe(0x3b);
      // The UICC in slot 1 has no ISD-R: 6A82.
      expect((await d.set(u.openChannel, { appId: ISD_R_AID, selectP2Arg: 0, channelGroup: 1 })).status).toBe(0x6a);
      const iccid = await d.query(u.readBinary, { version: 1, applicationId: new Uint8Array(0), filePath: Uint8Array.of(0x3f, 0x00, 0x2f, 0xe2), readOffset: 0, readSize: 0, localPin: '', data: new Uint8Array(0) });
      expect([iccid.statusWord1, iccid.data.length]).toEqual([0x90, 10]);
      fw().switchSlot(2);
      const open = await d.set(u.openChannel, { appId: ISD_R_AID, selectP2Arg: 0, channelGroup: 1 });
      expect(open.status).toBe(0x90);
      expect(open.channel).toBeGreaterThan(0);
      // STORE DATA with GetEuiccDataRequest (BF3E 03 5C 01 5A): the EID in BF3E { 5A … }.
      const eid = await d.set(u.apdu, { channel: open.channel, secureMessaging: 0, classByteType: 0, command: Uint8Array.from(Buffer.from('80e2910006bf3e035c015a', 'hex')) });
      expect(eid.status).toBe(0x90);
      // The data without the status words, which are in the status (as ModemManager reads the EID).
      expect(Buffer.from(eid.response).toString('hex')).toBe(`bf3e125a10${fw().slots[1]!.eid}`);
      // A Lc that does not match the data: 6700, and the channel stays open.
      expect((await d.set(u.apdu, { channel: open.channel, secureMessaging: 0, classByteType: 0, command: Uint8Array.of(0x80, 0xe2, 0x91, 0x00, 0x09, 0xbf) })).status).toBe(0x67);
      expect((await d.set(u.closeChannel, { channel: open.channel, channelGroup: 2 })).status).toBe(0x68); // another group's
      expect((await d.set(u.closeChannel, { channel: open.channel, channelGroup: 1 })).status).toBe(0x90);
      expect((await d.set(u.apdu, { channel: open.channel, secureMessaging: 0, classByteType: 0, command: Uint8Array.of(0x80, 0xca, 0xbf, 0x3e) })).status).toBe(0x8168);
      expect(fw().card!.openChannels).toEqual([]);
    } finally {
      fw().switchSlot(1);
      await d.close();
    }
  });
  it('MS UICC low-level access actions: application list, ATR, a channel to the USIM with APDUs, argument errors (as mbimcli 1.28)', async () => {
    expect(await both('--ms-query-uicc-application-list')).toContain('Application name:        USIM');
    expect(await both('--ms-query-uicc-atr')).toMatch(/response: 3B:/);
    // The same sequence with each tool: the channel it opens is free again when the other starts.
    const sequence = async (tool: (...args: string[]) => Promise<Run>): Promise<Run[]> => {
      const open = await tool('--ms-set-uicc-open-channel=application-id=a0000000871002ff49ff0589,selectp2arg=4,channel-group=1');
      const channel = /channel: (\d+)/.exec(open.stdout)?.[1] ?? 'none';
      return [
        open,
        // SELECT EF ICCID by id, READ BINARY of it, a Lc that does not match, then close.
        await tool(`--ms-set-uicc-apdu=channel=${channel},secure-message=none,classbyte-type=inter-industry,command=00a40004022fe2`),
        await tool(`--ms-set-uicc-apdu=channel=${channel},command=00b000000a`),
        await tool(`--ms-set-uicc-apdu=channel=${channel},command=00a4000403`),
        await tool(`--ms-set-uicc-close-channel=channel=${channel},channel-group=1`),
        await tool(`--ms-set-uicc-apdu=channel=${channel},command=00b000000a`),
      ];
    };
    const real = await sequence(mbimcli);
    const ours = await sequence(wwan);
    expect(ours).toEqual(real);
    expect(real[0]!.stdout).toMatch(/status: 144\n\t channel: [1-9]/);
    expect(real[2]!.stdout).toMatch(/status: 144\n\tresponse: (?:[0-9A-F]{2}:){9}[0-9A-F]{2}\n/);
    expect(real[3]!.stdout).toContain('status: 103');
    expect(real[5]!.stdout).toContain(`status: ${0x68 | (0x81 << 8)}`);
    for (const bad of [
      '--ms-set-uicc-apdu=channel=1,command=abc',
      '--ms-set-uicc-apdu=channel=1,secure-message=loud,command=00',
      '--ms-set-uicc-open-channel=selectp2arg=4',
      '--ms-set-uicc-close-channel=channel=1,group=2',
    ]) {
      const r = await mbimcli(bad);
      expect(r.code).toBe(1);
      expect(await wwan(bad)).toEqual(r);
    }
  }, 90_000);
});
