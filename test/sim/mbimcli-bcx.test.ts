/**
 * MS Basic Connect Extensions actions new in issue #17, with the real mbimcli 1.28 and `wwan mbimcli`
 * on the same simulated function: the same requests (the simulator decodes them), the same output, and
 * that output the model's.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { MbimDevice } from '../../src/mbim/client.js';
import { msBasicConnectExtensions } from '../../src/mbim/services/ms-basic-connect-extensions.js';
import { connectUnix } from '../../src/transport/unix.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { plmnOctets } from '../../src/sim/pco.js';
import { Simulator } from '../../src/sim/simulator.js';
import { mbimcliPair, type Run } from '../support/mbimcli-pair.js';
import { itWithTools } from '../support/tools.js';

const it = itWithTools(['mbimcli']);
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');

describe('MS Basic Connect Extensions with mbimcli 1.28', () => {
  let sim: Simulator;
  let dev: string;
  const fw = () => sim.modems[0]!.firmware;
  const { mbimcli, wwan } = mbimcliPair(() => dev);

  beforeAll(async () => {
    const p = PROFILES['mbim-usb'];
    sim = await Simulator.start({ profile: { ...p, firmware: { ...p.firmware, fixedSignal: true } }, seed: 17, log: () => undefined });
    dev = sim.modems[0]!.ports[0]!.path;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('--ms-query-pco: the operator container the network sent with the session, refused without one; session id errors', async () => {
    const run = async (tool: (...args: string[]) => Promise<Run>): Promise<Run[]> => {
      const runs = [await tool('--ms-query-pco'), await tool('--connect=access-string=internet,ip-type=ipv4'), await tool('--ms-query-pco'), await tool('--ms-query-pco=0')];
      runs.push(await tool('--ms-query-pco=3'), await tool('--ms-query-pco=256'), await tool('--ms-query-pco=x'), await tool('--disconnect'), await tool('--ms-query-pco='));
      return runs;
    };
    const real = await run(mbimcli);
    const ours = await run(wwan);
    // Each connection gets the next addresses: those lines differ between the runs.
    const addresses = (runs: Run[]): Run[] => runs.map((r) => ({ ...r, stdout: r.stdout.replace(/^ +(IP \[0\]|Gateway|DNS \[\d\]): '.*'$/gm, '$1') }));
    expect(addresses(ours)).toEqual(addresses(real));
    expect(real[0]).toMatchObject({ code: 1, stderr: 'error: operation failed: ContextNotActivated\n' });
    const op = fw().operator;
    // IE 27H, length, 80H, container FF00H of 4 bytes: the PLMN in BCD and action 0.
    const ie = Uint8Array.from([0x27, 8, 0x80, 0xff, 0x00, 4, ...plmnOctets(op.mcc, op.mnc), 0]);
    const want = `[${dev}] Successfully queried PCO\n[${dev}] PCO:\n\t   Session ID: '0'\n\tPCO data type: 'partial'\n\tPCO data size: '10'\n\t     PCO data: '${hex(ie)}'\n`;
    expect(real[2]).toMatchObject({ code: 0, stdout: want });
    expect(real[3]!.stdout).toBe(want);
    expect(real[4]).toMatchObject({ code: 1, stderr: 'error: operation failed: ContextNotActivated\n' });
    expect(real[5]).toMatchObject({ code: 1, stderr: "error: couldn't parse session ID: couldn't parse session ID '256' (must be 0 - 255)\n" });
    expect(real[6]).toMatchObject({ code: 1, stderr: "error: couldn't parse session ID: couldn't parse session ID 'x' (must be 0 - 255)\n" });
    expect(real[8]).toMatchObject({ code: 1, stderr: 'error: operation failed: ContextNotActivated\n' });
    expect(fw().sessions.size).toBe(0);
  }, 120_000);

  it('notifies the PCO after the session comes up, to a host that did not ask (what ModemManager listens for)', async () => {
    const d = await MbimDevice.open(await connectUnix(sim.modems[0]!.ports[0]!.socket));
    const pco = msBasicConnectExtensions.cids.pco;
    const got: unknown[] = [];
    d.onIndication((m) => m.service === msBasicConnectExtensions.uuid && m.cid === pco.id && got.push(pco.notification.readStruct(m.buffer, 0, m.buffer.length)));
    try {
      expect((await wwan('--connect=access-string=internet,ip-type=ipv4')).code).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      const op = fw().operator;
      expect(got.map((g: any) => ({ ...g, pcoDataBuffer: hex(g.pcoDataBuffer) }))).toEqual([
        { sessionId: 0, pcoDataType: 1, pcoDataBuffer: hex(Uint8Array.from([0x27, 8, 0x80, 0xff, 0x00, 4, ...plmnOctets(op.mcc, op.mnc), 0])) },
      ]);
    } finally {
      await wwan('--disconnect');
      await d.close();
    }
    expect(fw().sessions.size).toBe(0);
  }, 60_000);
});
