/**
 * MBIMEx 2.0 and 3.0 (issue #17): `--device-open-ms-mbimex-v2/v3` against a simulated MBIMEx 3.0
 * function, with the real mbimcli 1.28 and `wwan mbimcli` on the same pty. Both must send the same
 * requests (the simulator decodes them with the agreed version's layouts) and print the same output,
 * and that output must be the model's. A host that asks for v2 gets v2; a 1.0 function keeps 1.0.
 */
import { afterAll, beforeAll, describe, expect, it as plainIt } from 'vitest';
import { encodeFragments } from '../../src/mbim/message.js';
import { SET } from '../../src/mbim/protocol.js';
import { redactMbim } from '../../src/mbim/redact.js';
import { ContextType } from '../../src/mbim/context-types.js';
import { MbimDevice } from '../../src/mbim/client.js';
import { basicConnect, basicConnectMbimex } from '../../src/mbim/services/basic-connect.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { mbimcliPair, type Run } from '../support/mbimcli-pair.js';
import { itWithTools } from '../support/tools.js';

const it = itWithTools(['mbimcli']);


async function start(mbimex: number): Promise<Simulator> {
  const p = PROFILES['mbim-usb'];
  return Simulator.start({ profile: { ...p, firmware: { ...p.firmware, mbimex, fixedSignal: true } }, seed: 17, log: () => undefined });
}

describe('MBIMEx 2.0 and 3.0 with mbimcli 1.28, against an MBIMEx 3.0 simulator', () => {
  let sim: Simulator;
  let dev: string;
  const fw = () => sim.modems[0]!.firmware;
  const { mbimcli, wwan, both } = mbimcliPair(() => dev);

  beforeAll(async () => {
    sim = await start(0x0300);
    dev = sim.modems[0]!.ports[0]!.path;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('agrees on the version the host asks for, up to the function\'s 3.0; a fresh OPEN is MBIM 1.0 again', async () => {
    for (const [asked, agreed] of [[2, 0x0200], [3, 0x0300]] as const) {
      const d = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket), { mbimex: asked });
      try {
        expect(d.mbimex).toBe(agreed);
        // The agreed layouts: MBIMEx 2.0's Register State has the preferred data classes.
        const r = await d.query(d.pick(basicConnect.cids.registerState, basicConnectMbimex.cids.registerStateV2));
        expect(r).toHaveProperty('preferredDataClasses');
      } finally {
        await d.close();
      }
    }
    const plain = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
    try {
      expect(plain.mbimex).toBe(0x0100);
      // Without the exchange the function answers in MBIM 1.0 layouts: this decodes with nothing left over.
      expect(await plain.query(basicConnect.cids.registerState)).not.toHaveProperty('preferredDataClasses');
    } finally {
      await plain.close();
    }
    expect((await mbimcli('--device-open-ms-mbimex-v2', '--device-open-ms-mbimex-v3', '--query-radio-state')).stderr).toBe('error: cannot request both MBIMEx v2.0 and 3.0 at the same time\n');
    expect(await wwan('--device-open-ms-mbimex-v2', '--device-open-ms-mbimex-v3', '--query-radio-state')).toEqual(await mbimcli('--device-open-ms-mbimex-v2', '--device-open-ms-mbimex-v3', '--query-radio-state'));
  });

  it('--ms-query-version exchanges versions by hand: the function answers the lower of the two', async () => {
    for (const [asked, answered] of [['1.0,2.0', '2.00'], ['1.0,3.10', '3.00'], ['1.0,1.0', '1.00']]) {
      const out = await both(`--ms-query-version=${asked}`);
      expect(out).toBe(`[${dev}] Successfully exchanged version information\n MBIM version          : 1.00\n MBIM extended version : ${answered}\n`);
    }
    // mbimcli 1.28 never exits after these argument errors (it returns without ending its main loop): ours says the same and exits 1.
    expect(await wwan('--ms-query-version=1.0')).toMatchObject({ code: 1, stderr: "error: couldn't parse input string, missing arguments\n" });
    expect(await wwan('--ms-query-version=1.x,2.0')).toMatchObject({ code: 1, stderr: "error: couldn't parse version string\n" });
    expect(await wwan('--ms-query-version=1.0,2')).toMatchObject({ code: 1, stderr: "error: couldn't parse extended version string\n" });
  }, 90_000);

  it('v2: registration with preferred data classes, signal with RSRP/SNR, packet service with the frequency range', async () => {
    const reg = await both('--device-open-ms-mbimex-v2', '--query-registration-state');
    expect(reg).toContain("Register state: 'home'");
    expect(reg).toContain("\tPreferred data classes: 'gprs, edge, umts, hsdpa, hsupa, lte'\n");
    const signal = await both('--device-open-ms-mbimex-v2', '--query-signal-state');
    const s = fw().signal;
    expect(signal).toContain(`RSRP/SNR info: 'lte'\n\t           RSRP: '${s.rsrp} dBm'\n\t            SNR: '${s.snr.toFixed(1)} dB'\n\t RSRP threshold: 'default'\n`);
    const ps = await both('--device-open-ms-mbimex-v2', '--query-packet-service-state');
    expect(ps).toContain("\t       Frequency range: '1'\n");
    expect(ps).not.toContain('TAI');
    // The same action without the flag: MBIM 1.0's output, no v2 lines.
    expect(await both('--query-registration-state')).not.toContain('Preferred data classes');
    expect(await both('--query-signal-state')).not.toContain('RSRP/SNR');
  }, 90_000);

  it('v3: subscriber flags, packet service with subclass and TAI, connect/query/disconnect with media type and access string', async () => {
    expect(await both('--device-open-ms-mbimex-v3', '--query-subscriber-ready-status')).toContain("\t            Flags: 'sim-removability-known, sim-removable'\n");
    const ps = await both('--device-open-ms-mbimex-v3', '--query-packet-service-state');
    const op = fw().operator;
    const tac = fw().radio.cellInfo()!.serving.areaCode;
    expect(ps).toContain(`\tAvailable data classes: 'lte'\n`);
    expect(ps).toContain(`\t        Data sub class: 'none'\n\t          TAI PLMN MCC: '${op.mcc}'\n\t          TAI PLMN MNC: '${op.mnc}'\n\t              TAI  TAC: '${tac}'\n`);
    // Connect changes state: each tool connects, queries and disconnects in turn.
    const sequence = async (tool: (...args: string[]) => Promise<Run>): Promise<Run[]> => [
      await tool('--device-open-ms-mbimex-v3', '--connect=access-string=internet,ip-type=ipv4v6,media-type=3gpp'),
      await tool('--device-open-ms-mbimex-v3', '--query-connection-state'),
      await tool('--device-open-ms-mbimex-v3', '--disconnect'),
      await tool('--device-open-ms-mbimex-v3', '--connect=access-string=internet,media-type=wifi'),
    ];
    // Each connection gets the next addresses: those two lines differ between the runs.
    const addresses = (runs: Run[]): Run[] => runs.map((r) => ({ ...r, stdout: r.stdout.replace(/^ +(IP \[0\]|Gateway): '.*'$/gm, '$1') }));
    const real = await sequence(mbimcli);
    const ours = await sequence(wwan);
    expect(addresses(ours)).toEqual(addresses(real));
    expect(real[0]!.stdout).toContain("\tActivation state: 'activated'\n");
    expect(real[0]!.stdout).toContain("\tAccess media type: '3gpp'\n\t    Access string: 'internet'\n");
    expect(real[0]!.stdout).toMatch(/IPv4 configuration available: 'address, gateway, dns, mtu'/);
    expect(real[1]!.stdout).toContain("\t    Access string: 'internet'\n");
    expect(real[2]!.stdout).toContain("\tActivation state: 'deactivated'\n\tVoice call state: 'none'\n");
    expect(real[2]!.stdout).toContain("\tAccess media type: 'unknown'\n\t    Access string: ''\n");
    expect(real[3]).toMatchObject({ code: 1, stderr: "error: invalid access media type value given: 'wifi'\nerror: couldn't parse input string: unknown media-type: 'wifi'\n" });
    expect(fw().sessions.size).toBe(0);
  }, 90_000);

  it('IP packet filters per session, with filter ids under MBIMEx 3.0; service activation; argument errors as mbimcli words them', async () => {
    const run = async (tool: (...args: string[]) => Promise<Run>): Promise<Run[]> => [
      await tool('--set-ip-packet-filters=session-id=1,packet-filter=c0a80001,packet-mask=ffffff00,packet-filter=0a000000,packet-mask=ff000000'),
      await tool('--query-ip-packet-filters=1'),
      await tool('--device-open-ms-mbimex-v3', '--query-ip-packet-filters=1'),
      await tool('--device-open-ms-mbimex-v3', '--set-ip-packet-filters=session-id=2,packet-filter=0a000001,packet-mask=ffffffff,filter-id=7'),
      await tool('--device-open-ms-mbimex-v3', '--query-ip-packet-filters=2'),
      await tool('--set-service-activation=0102ab'),
      await tool('--set-ip-packet-filters=session-id=1,packet-filter=c0a8,packet-mask=ff'),
      await tool('--set-ip-packet-filters=session-id=1,packet-filter=c0a8,packet-mask=ffff,filter-id=3'),
      await tool('--device-open-ms-mbimex-v3', '--set-ip-packet-filters=session-id=1,packet-filter=c0a8,packet-mask=ffff'),
      await tool('--set-ip-packet-filters=session-id=300'),
      await tool('--set-service-activation=0g'),
      await tool('--set-ip-packet-filters=session-id=1'),
    ];
    const real = await run(mbimcli);
    expect(await run(wwan)).toEqual(real);
    expect(real[1]!.stdout).toBe(`[${dev}] IP packet filters: (2)\nFilter 0:\n\tFilter size   : 4\n\tPacket filter : C0 A8 00 01\n\tPacket mask   : FF FF FF 00\nFilter 1:\n\tFilter size   : 4\n\tPacket filter : 0A 00 00 00\n\tPacket mask   : FF 00 00 00\n`);
    expect(real[2]!.stdout).toContain('\tFilter ID     : 0\n');
    expect(real[4]!.stdout).toBe(`[${dev}] IP packet filters: (1)\nFilter 0:\n\tFilter size   : 4\n\tPacket filter : 0A 00 00 01\n\tPacket mask   : FF FF FF FF\n\tFilter ID     : 7\n`);
    expect(real[5]!.stdout).toBe(`[${dev}] Service activation response received successfully:\n\t         Network error: 'none'\n\t                  Data: '(null)'\n`);
    for (const bad of real.slice(6, 11)) expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: /) });
    // No filters: the session's list emptied.
    expect(real[11]!.stdout).toBe(`[${dev}] IP packet filters: (0)\n`);
  }, 120_000);

  it('registers automatically and attaches in the agreed layouts; indications follow each host\'s version', async () => {
    const v3 = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket), { mbimex: 3 });
    const v1 = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
    const seen = (d: MbimDevice): Uint8Array[] => {
      const got: Uint8Array[] = [];
      d.onIndication((m) => m.service === basicConnect.uuid && m.cid === basicConnect.cids.packetService.id && got.push(m.buffer));
      return got;
    };
    const [got3, got1] = [seen(v3), seen(v1)];
    try {
      fw().setOperatingMode('low-power');
      fw().setOperatingMode('online');
      await new Promise((r) => setTimeout(r, 300));
      expect(got3.length).toBeGreaterThan(0);
      expect(got1.length).toBe(got3.length);
      // Packet Service in MBIMEx 3.0's layout for one host (subclass and TAI after the speeds), 1.0's for the other.
      const last = basicConnectMbimex.cids.packetServiceV3.notification.readStruct(got3.at(-1)!, 0, got3.at(-1)!.length);
      expect(last.tai.tac).toBe(fw().radio.cellInfo()!.serving.areaCode);
      expect(got3.at(-1)!.length).toBe(4 * 3 + 16 + 4 * 2 + 8);
      expect(got1.at(-1)!.length).toBe(4 * 3 + 16);
    } finally {
      await v3.close();
      await v1.close();
    }
    expect(await both('--device-open-ms-mbimex-v3', '--register-automatic')).toContain('Preferred data classes');
    expect(await both('--device-open-ms-mbimex-v3', '--attach-packet-service')).toContain("Packet service state: 'attached'");
  });
});

describe('a function without MBIMEx (1.0) keeps MBIM 1.0 layouts when a host asks for 3.0', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await start(0x0100);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('answers the version exchange with 1.0, and mbimcli prints 1.0 output', async () => {
    const { both } = mbimcliPair(() => sim.modems[0]!.ports[0]!.path);
    expect(await both('--device-open-ms-mbimex-v3', '--query-packet-service-state')).not.toContain('Frequency range');
  });
});

describe('MBIMEx 3.0 secrets', () => {
  plainIt('masks the password TLV of an MBIMEx 3.0 Connect in captures, keeping its length and the message well formed', () => {
    const set = basicConnectMbimex.cids.connectV3.set;
    const values = {
      sessionId: 0, activationCommand: 1, compression: 0, authProtocol: 1, ipType: 3, contextType: ContextType.internet, mediaPreference: 1,
      accessString: 'internet', userName: 'user', password: 's3cr3t-pass', unnamedIes: new Uint8Array(0),
    };
    const message = (buffer: Uint8Array): Uint8Array =>
      encodeFragments({ type: 'command', transactionId: 7, service: basicConnect.uuid, cid: 12, commandType: SET, buffer }, 4096)[0]!;
    const bytes = message(set.encode(values));
    const red = redactMbim(bytes);
    expect(Buffer.from(red).includes(Buffer.from('s3cr3t-pass', 'utf16le'))).toBe(false);
    expect(red.length).toBe(bytes.length);
    expect(set.readStruct(red, 48, red.length)).toMatchObject({ accessString: 'internet', userName: 'user', password: '*'.repeat(11) });
    // MBIM 1.0's Connect is still masked by its own layout.
    const v1 = message(basicConnect.cids.connect.set.encode(values));
    expect(basicConnect.cids.connect.set.readStruct(redactMbim(v1), 48, v1.length).password).toBe('*'.repeat(11));
  });
});
