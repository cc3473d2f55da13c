/**
 * MS UICC low-level access file, reset and terminal-capability actions (issue #17), driven by the real
 * mbimcli 1.28 and by `wwan mbimcli` on the same pty against the simulator: the same requests must give
 * the same output, and that output must be the card model's (the files QMI UIM reads too).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { USIM_AID } from '../../src/sim/sim-card.js';
import { mbimcliPair, type Run } from '../support/mbimcli-pair.js';
import { itWithTools } from '../support/tools.js';

const it = itWithTools(['mbimcli']);
const AID = Buffer.from(USIM_AID).toString('hex');

const colonHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(':');

describe('MS UICC low-level access files, reset and terminal capability, with mbimcli 1.28', () => {
  let sim: Simulator;
  let dev: string;
  const fw = () => sim.modems[0]!.firmware;
  const { mbimcli, wwan, same: both } = mbimcliPair(() => dev);

  beforeAll(async () => {
    sim = await Simulator.start({ profile: PROFILES['mbim-usb'], seed: 17, log: () => undefined });
    dev = sim.modems[0]!.ports[0]!.path;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('file status, read binary and read record answer from the card\'s files; a missing file gets 6A82', async () => {
    const card = fw().card!;
    const iccid = await both('--ms-query-uicc-read-binary', `application-id=${AID},file-path=3f002fe2,read-offset=0,read-size=0`);
    expect(iccid.code).toBe(0);
    const ef = card.readBinary('3f00/2fe2', 0, 0);
    expect(iccid.stdout).toBe(`[${dev}] UICC file binary read:\n\tStatus word 1: 144\n\tStatus word 2: 0\n\t         Data: ${colonHex(ef.data)}\n`);
    // The IMSI (behind PIN1, which is disabled) at an offset within the USIM's ADF.
    const imsi = await both('--ms-query-uicc-read-binary', `application-id=${AID},file-path=7fff6f07,read-offset=1,read-size=4`);
    expect(imsi.stdout).toContain(`Data: ${colonHex(card.readBinary('3f00/7fff/6f07', 1, 4).data)}\n`);
    const msisdn = await both('--ms-query-uicc-read-record', `application-id=${AID},file-path=7fff6f40,record-number=1`);
    expect(msisdn.stdout).toBe(`[${dev}] UICC file record read:\n\tStatus word 1: 144\n\tStatus word 2: 0\n\t         Data: ${colonHex(card.readRecord('3f00/7fff/6f40', 1, 0).data)}\n`);
    const status = await both('--ms-query-uicc-file-status', `application-id=${AID},file-path=7fff6f40`);
    expect(status.stdout).toContain('\t    Accessibility: not-shareable\n\t             Type: working-ef\n\t        Structure: linear\n\t       Item count: 2\n\t        Item size: 18\n');
    expect(status.stdout).toContain('\t                 Read: pin1\n\t               Update: unknown\n');
    const missing = await both('--ms-query-uicc-file-status', `application-id=${AID},file-path=7fff6fff`);
    expect(missing.stdout).toContain('\t    Status word 1: 106\n\t    Status word 2: 130\n\t    Accessibility: unknown\n');
    expect((await both('--ms-query-uicc-read-record', `application-id=${AID},file-path=7fff6f40,record-number=9`)).stdout).toMatch(/Status word 1: 106\n\tStatus word 2: 131\n\t {9}Data: \(null\)\n/);
  }, 90_000);

  it('refuses bad arguments as mbimcli does', async () => {
    for (const bad of [
      '--ms-query-uicc-file-status=file-path=3f002fe2',
      `--ms-query-uicc-file-status=application-id=${AID}`,
      `--ms-query-uicc-read-binary=application-id=${AID},file-path=3f0,read-size=1`,
      `--ms-query-uicc-read-binary=application-id=${AID},file-path=3f002fe2,read-size=x`,
      `--ms-query-uicc-read-record=application-id=${AID},file-path=7fff6f40,record=1`,
      '--ms-set-uicc-reset=later',
    ]) {
      const r = await both(bad);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: /);
    }
  }, 90_000);

  it('stores terminal capabilities and reports them back; a UICC reset power-cycles the card and sets pass-through', async () => {
    expect((await both('--ms-query-uicc-terminal-capability')).stdout).toBe('Terminal capability: (0)\n');
    const set = async (tool: typeof mbimcli): Promise<Run[]> => [
      await tool('--ms-set-uicc-terminal-capability=terminal-capability=a9038001ff,terminal-capability=8301078101'),
      await tool('--ms-query-uicc-terminal-capability'),
    ];
    const real = await set(mbimcli);
    const ours = await set(wwan);
    expect(ours[0]).toEqual(real[0]);
    expect(real[0]!.stdout).toBe('Succesfully set terminal capability info\n');
    // What either tool set, the function stores as two objects of 5 bytes each.
    expect(ours[1]!.stdout).toBe(
      'Terminal capability: (2)\n' +
        '\t terminal capability count: 0\n\t terminal capability size : 5\n\t terminal capability      : A9:03:80:01:FF\n' +
        '\t terminal capability count: 1\n\t terminal capability size : 5\n\t terminal capability      : 83:01:07:81:01\n',
    );
    // libmbim 1.28 reads each object (an unsized byte array in a struct) to the end of the buffer, not
    // to the end of the object: its first one runs on into the padding and the second one.
    expect(real[1]!.stdout).toContain('size : 16\n\t terminal capability      : A9:03:80:01:FF:00:00:00:83:01:07:81:01:00:00:00\n');
    expect(real[1]!.stdout).toContain('size : 8\n\t terminal capability      : 83:01:07:81:01:00:00:00\n');

    expect((await both('--ms-query-uicc-reset')).stdout).toBe('Succesfully retrieved reset info:\n\tpass through action: disabled\n');
    const powered: boolean[] = [];
    fw().on('cardPower', (_slot, on) => powered.push(on));
    const reset = async (tool: typeof mbimcli): Promise<Run[]> => [await tool('--ms-set-uicc-reset=enable'), await tool('--ms-query-uicc-reset'), await tool('--ms-set-uicc-reset=disable')];
    const r = await reset(mbimcli);
    expect(await reset(wwan)).toEqual(r);
    expect(r.map((x) => x.stdout)).toEqual([
      'Succesfully retrieved reset info:\n\tpass through action: enabled\n',
      'Succesfully retrieved reset info:\n\tpass through action: enabled\n',
      'Succesfully retrieved reset info:\n\tpass through action: disabled\n',
    ]);
    // Each set reset the card: off, then on again (four sets, both tools).
    expect(powered).toEqual([false, true, false, true, false, true, false, true]);
    expect(fw().simState).toBe('ready');
  }, 90_000);
});
