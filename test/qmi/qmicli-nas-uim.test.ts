/**
 * `wwan qmicli`'s NAS and UIM operations against the real qmicli 1.32 (requests, output, exit code,
 * errors), both driving the simulator's QMI front-end; and what the simulator answered checked
 * against its model (the real qmicli's output is the witness).
 */
import { describe, expect } from 'vitest';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { itWithTools } from '../support/tools.js';

const itq = itWithTools(['qmicli']);

describe('wwan qmicli NAS matches qmicli 1.32', () => {
  itq('technology and system selection preferences follow what was set', async () => {
    const { real } = await expectSameAsQmicli([
      ['--nas-get-technology-preference'],
      ['--nas-get-system-selection-preference'],
      ['--nas-set-system-selection-preference=umts|gsm'],
      ['--nas-get-system-selection-preference'],
    ]);
    expect(real[1]!.stdout).toMatch(/Mode preference: 'gsm, umts, lte'/);
    expect(real[1]!.stdout).toMatch(/LTE band preference \(extended\): '1, 3, 7, 8, 20, 28'/);
    expect(real[3]!.stdout).toMatch(/Mode preference: 'gsm, umts'\n/);
    expect(real[3]!.stdout).toMatch(/Acquisition order preference: 'umts, /);
  });

  itq('preferred networks are written to the SIM and read back, and bad lists are refused', async () => {
    const { real } = await expectSameAsQmicli([
      ['--nas-get-preferred-networks'],
      ['--nas-set-preferred-networks=00102,eutran|utran,310260,gsm'],
      ['--nas-get-preferred-networks'],
      ['--nas-set-preferred-networks=00101,all,00102,gsm,00103,gsm,00104,gsm,00105,gsm,00106,gsm,00107,gsm,00108,gsm,00109,gsm'],
      ['--nas-set-preferred-networks=00102'],
      ['--nas-set-preferred-networks=0010,gsm'],
      ['--nas-set-preferred-networks=00102,lte'],
      ['--nas-set-preferred-networks='],
      ['--nas-get-preferred-networks'],
    ]);
    expect(real[0]!.stdout).toMatch(/MCC: '1'\n\tMNC: '1'\n\tAccess Technology: 'ngran, eutran, utran, gsm'|Access Technology: 'gsm, ngran, eutran, utran'/);
    expect(real[2]!.stdout).toContain("MCC: '310'\n\tMNC: '260'\n\tAccess Technology: 'gsm'");
    expect(real[2]!.stdout).toContain("MCC: '310'\n\tMNC: '260'\n\tMCC with PCS digit: 'yes'");
    // Nine entries do not fit the card's eight; the list stays as it was.
    expect(real[3]!.code).toBe(1);
    expect(real[8]!.stdout).toContain('Preferred PLMN list:\n\t<empty>');
  });

  itq('operator names from the SIM and the network, and PLMN names of the networks around', () =>
    expectSameAsQmicli([
      ['--nas-get-operator-name'],
      ['--nas-get-plmn-name=00101'],
      ['--nas-get-plmn-name=00102'],
      ['--nas-get-plmn-name=99999'],
      ['--nas-get-plmn-name=001'],
    ]));

  itq('RF band, TX/RX and DRX of the serving cell', async () => {
    const { real } = await expectSameAsQmicli([
      ['--nas-get-rf-band-info'],
      ['--nas-get-tx-rx-info=lte'],
      ['--nas-get-tx-rx-info=umts'],
      ['--nas-get-tx-rx-info=bogus'],
      ['--nas-get-drx'],
      ['--nas-set-system-selection-preference=umts'],
      ['--nas-get-rf-band-info'],
      ['--nas-get-tx-rx-info=umts'],
      ['--nas-get-lte-cphy-ca-info'],
    ]);
    expect(real[0]!.stdout).toMatch(/Active Band Class: 'eutran-1'\n\tActive Channel:    '300'/);
    expect(real[6]!.stdout).toMatch(/Radio Interface:   'umts'\n\tActive Band Class: 'wcdma-2100'/);
    expect(real[7]!.stdout).toMatch(/Radio tuned: 'yes'[\s\S]*RSCP: '-\d+\.\d dBm'/);
  });

  itq('carrier aggregation and the transmitter while data flows', async () => {
    const { real } = await expectSameAsQmicli([
      ['--nas-get-lte-cphy-ca-info'],
      ['--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid'],
      ['--nas-get-lte-cphy-ca-info'],
      ['--nas-get-tx-rx-info=lte'],
      ['--wds-stop-network=86688', '--client-cid=1'],
      ['--nas-get-lte-cphy-ca-info'],
    ]);
    expect(real[0]!.stdout).toContain('No Secondary Cells');
    expect(real[2]!.stdout).toMatch(/Secondary Cell 1 Info[\s\S]*LTE Band: 'eutran-3'[\s\S]*State: 'activated'/);
    expect(real[3]!.stdout).toMatch(/In traffic: 'yes'\n\tPower: '\d+\.\d dBm'/);
    expect(real[5]!.stdout).toContain('No Secondary Cells');
  });

  itq('supported messages, service reset and noop', () =>
    expectSameAsQmicli([['--nas-get-supported-messages'], ['--nas-reset'], ['--nas-noop'], ['--nas-noop', '--client-no-release-cid']]));
});

describe('wwan qmicli UIM matches qmicli 1.32', () => {
  itq('supported messages, service reset and noop', () =>
    expectSameAsQmicli([['--uim-get-supported-messages'], ['--uim-reset'], ['--uim-noop'], ['--uim-noop', '--client-no-release-cid']]));

  itq('the primary provisioning session deactivated and activated again on the USIM, and bad arguments', async () => {
    const { real } = await expectSameAsQmicli([
      ['--uim-change-provisioning-session=session-type=primary-gw-provisioning,activate=no'],
      ['--uim-get-card-status'],
      ['--uim-change-provisioning-session=session-type=primary-gw-provisioning,activate=no'],
      ['--uim-change-provisioning-session=session-type=primary-gw-provisioning,activate=yes,slot=1,aid=A0:00:00:00:87:10:02:FF:FF:FF:FF:89:06:19:00:00'],
      ['--uim-get-card-status'],
      ['--uim-change-provisioning-session=session-type=primary-1x-provisioning,activate=yes'],
      ['--uim-change-provisioning-session=session-type=bogus,activate=yes'],
      ['--uim-change-provisioning-session=session-type=primary-gw-provisioning,activate=maybe'],
      ['--uim-change-provisioning-session=slot=1'],
      ['--uim-change-provisioning-session=session-type=primary-gw-provisioning,activate=yes,aid=zz'],
      ['--uim-change-provisioning-session=session-type=primary-gw-provisioning,activate=yes,slot=300'],
      ['--uim-change-provisioning-session=colour=red'],
    ]);
    expect(real[1]!.stdout).toMatch(/Primary GW:\s+session doesn't exist/);
    expect(real[2]!.stderr).toContain('NoEffect');
    expect(real[4]!.stdout).toMatch(/Primary GW:\s+slot '1', application '1'/);
  });

  itq('an unlocked modem has no personalization', () =>
    expectSameAsQmicli([['--uim-get-configuration'], ['--uim-depersonalization=gw-network,deactivate,12345678']]));

  itq('a network-locked modem: wrong keys block the lock, the key unblocks it, then deactivates it', async () => {
    const { real } = await expectSameAsQmicli(
      [
        ['--uim-get-configuration'],
        ['--uim-depersonalization=gw-network,deactivate,0000'],
        ['--uim-depersonalization=gw-network,deactivate,1111'],
        ['--uim-depersonalization=gw-network,deactivate,12345678'],
        ['--uim-depersonalization=gw-network,unblock,00000000'],
        ['--uim-depersonalization=gw-network,unblock,12345678'],
        ['--uim-get-configuration'],
        ['--uim-depersonalization=gw-network,deactivate,12345678,1'],
        ['--uim-get-configuration'],
        ['--uim-depersonalization=bogus,deactivate,1'],
        ['--uim-depersonalization=gw-network,fly,1'],
        ['--uim-depersonalization=gw-network,deactivate'],
        ['--uim-depersonalization=gw-network,deactivate,1,9'],
        ['--uim-depersonalization='],
      ],
      { personalization: [{ feature: 'gw-network', key: '12345678', verifyRetries: 2 }] },
    );
    expect(real[0]!.stdout).toContain('Personalization: gw-network\n\t\tVerify left:  2\n\t\tUnblock left: 10');
    expect(real[2]!.stderr).toMatch(/PinBlocked[\s\S]*Verify: 0\n\tUnblock: 10/);
    // Blocked: even the right key does not deactivate it; a wrong unblock key uses an unblock retry.
    expect(real[3]!.stderr).toContain('PinBlocked');
    expect(real[4]!.stderr).toMatch(/Verify: 0\n\tUnblock: 9/);
    expect(real[6]!.stdout).toContain('Verify left:  2\n\t\tUnblock left: 9');
    expect(real[7]!.stdout).toBe('Modem was unlocked successfully\n');
    expect(real[8]!.stdout).toContain('Personalization features in slot 1: all disabled');
  });
});
