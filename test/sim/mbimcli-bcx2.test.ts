/**
 * MS Basic Connect Extensions actions on what the modem keeps (issue #17): provisioned contexts v2,
 * registration parameters, modem configuration and wake reason, with the real mbimcli 1.28 and
 * `wwan mbimcli` on the same simulated MBIMEx 3.0 function. Each step runs both tools from the same
 * state, and the model after each.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { mbimcliPair, type Run } from '../support/mbimcli-pair.js';
import { itWithTools } from '../support/tools.js';

const it = itWithTools(['mbimcli']);

async function start(mbimex: number): Promise<Simulator> {
  const p = PROFILES['mbim-usb'];
  return Simulator.start({ profile: { ...p, firmware: { ...p.firmware, mbimex, fixedSignal: true } }, seed: 17, log: () => undefined });
}

/** mbimcli prints passwords; we print `********`. */
const masked = (r: Run): Run => ({ ...r, stdout: r.stdout.replace(/^(\t +Password: ')(?!unknown')[^']*'$/gm, "$1********'") });

describe('MS Basic Connect Extensions provisioning with mbimcli 1.28, against an MBIMEx 3.0 simulator', () => {
  let sim: Simulator;
  let dev: string;
  const fw = () => sim.modems[0]!.firmware;
  const { mbimcli, wwan, same, both } = mbimcliPair(() => dev);
  /** The model state the actions change, to run both tools from the same one. */
  const save = () => structuredClone({ profiles: fw().profiles, registration: fw().registrationParameters });
  const restore = (s: ReturnType<typeof save>): void => {
    fw().profiles.splice(0, fw().profiles.length, ...structuredClone(s.profiles));
    Object.assign(fw().registrationParameters, s.registration);
  };
  /**
   * A step both tools take from the same state: the real one, the state put back, then ours; the
   * same output (passwords masked) and the same state after.
   */
  const step = async (...args: string[]): Promise<Run> => {
    const before = save();
    const real = await mbimcli(...args);
    const after = save();
    restore(before);
    const ours = await wwan(...args);
    expect(ours).toEqual(masked(real));
    expect(save()).toEqual(after);
    return real;
  };

  beforeAll(async () => {
    sim = await start(0x0300);
    dev = sim.modems[0]!.ports[0]!.path;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('--ms-query/set-provisioned-contexts: the profile database, add or replace by context type, delete, restore; Basic Connect sees the same', async () => {
    const context = (id: number, type: string, apn: string, extra = ''): string =>
      `\tContext ID ${id}:\n\t   Context type: '${type}'\n\t        IP type: 'ipv4v6'\n\t          State: 'enabled'\n\tRoaming control: 'allow-all'\n` +
      `\t     Media type: 'cellular-only'\n\t         Source: 'modem'\n\t  Access string: '${apn}'\n\t       Username: 'unknown'\n\t       Password: 'unknown'\n` +
      `\t    Compression: 'none'\n\t  Auth protocol: 'none'\n${extra}`;
    expect(await both('--ms-query-provisioned-contexts')).toBe(`[${dev}] Provisioned contexts (2):\n${context(1, 'internet', 'internet')}${context(2, 'ims', 'ims')}`);

    // Add an MMS context: the set answers the whole list, a later query and Basic Connect's list show it.
    const add = 'operation=default,context-type=mms,ip-type=ipv4,state=enabled,roaming-control=home-only,media-type=all,source=user,auth=chap,username=mms,password=s3cret,access-string=mms.example';
    const added = await step(`--ms-set-provisioned-contexts=${add}`);
    expect(added.code).toBe(0);
    const mms =
      "\tContext ID 3:\n\t   Context type: 'mms'\n\t        IP type: 'ipv4'\n\t          State: 'enabled'\n\tRoaming control: 'home-only'\n\t     Media type: 'all'\n" +
      "\t         Source: 'user'\n\t  Access string: 'mms.example'\n\t       Username: 'mms'\n\t       Password: 's3cret'\n\t    Compression: 'none'\n\t  Auth protocol: 'chap'\n";
    expect(added.stdout).toBe(`[${dev}] Provisioned contexts (3):\n${context(1, 'internet', 'internet')}${context(2, 'ims', 'ims')}${mms}`);
    expect(fw().profiles[2]).toMatchObject({ index: 3, apn: 'mms.example', family: 'ipv4', username: 'mms', password: 's3cret', auth: 'chap', noRoaming: true, contextType: 'mms' });
    expect((await step('--ms-query-provisioned-contexts')).stdout).toBe(added.stdout);
    const bcList = await step('--query-provisioned-contexts');
    expect(bcList.stdout).toContain("\tContext ID 3:\n\t   Context type: 'mms'\n\t  Access string: 'mms.example'\n\t       Username: 'mms'\n\t       Password: 's3cret'\n");

    // Replace it (same type): the same id, new settings.
    const replaced = await step('--ms-set-provisioned-contexts=operation=default,context-type=mms,access-string=mms2,state=disabled');
    expect(replaced.stdout).toContain("\tContext ID 3:\n\t   Context type: 'mms'\n\t        IP type: 'ipv4v6'\n\t          State: 'disabled'\n\tRoaming control: 'home-only'");
    expect(fw().profiles).toHaveLength(3);
    expect(fw().profiles[2]).toMatchObject({ apn: 'mms2', disabled: true, auth: 'none' });

    // Refusals: what the modem cannot keep, an invalid type (mbimcli's default), deleting what the default profile is.
    for (const bad of ['operation=default,context-type=vpn,compression=enable', 'operation=default,context-type=vpn,auth=mschapv2,username=u', 'access-string=x', 'operation=delete,context-type=vpn']) {
      expect(await step(`--ms-set-provisioned-contexts=${bad}`)).toMatchObject({ code: 1, stderr: 'error: operation failed: InvalidParameters\n' });
    }
    expect(await step('--ms-set-provisioned-contexts=operation=delete,context-type=internet')).toMatchObject({ code: 1, stderr: 'error: operation failed: OperationNotAllowed\n' });

    // Delete, then restore the factory list.
    expect((await step('--ms-set-provisioned-contexts=operation=delete,context-type=mms')).stdout).toBe(`[${dev}] Provisioned contexts (2):\n${context(1, 'internet', 'internet')}${context(2, 'ims', 'ims')}`);
    await step('--ms-set-provisioned-contexts=operation=default,context-type=vpn,access-string=corp');
    expect(fw().profiles.map((p) => p.apn)).toEqual(['internet', 'ims', 'corp']);
    expect((await step('--ms-set-provisioned-contexts=operation=restore-factory')).stdout).toBe(`[${dev}] Provisioned contexts (2):\n${context(1, 'internet', 'internet')}${context(2, 'ims', 'ims')}`);

    // Argument errors, worded as mbimcli words them (an enum's own line first).
    const errors: Record<string, string> = {};
    for (const arg of ['operation=bogus', 'context-type=foo', 'roaming-control=x', 'auth=PAP', 'apn=x', 'operation', '']) {
      const r = await same(`--ms-set-provisioned-contexts=${arg}`);
      expect(r.code).toBe(1);
      errors[arg] = r.stderr;
    }
    expect(errors['operation=bogus']).toBe("error: invalid context operation value given: 'bogus'\nerror: couldn't parse input string: unknown operation: 'bogus'\n");
    expect(errors['apn=x']).toBe("error: couldn't parse input string: unrecognized option 'apn'\n");
    // Nothing given: delete an invalid context type, which the modem refuses.
    expect(errors['']).toBe('error: operation failed: InvalidParameters\n');
    expect(fw().profiles.map((p) => p.apn)).toEqual(['internet', 'ims']);
  }, 180_000);
});
