/**
 * `wwan qmicli` DMS and WDS operations against the real qmicli 1.32 (issue 17): the same requests and
 * output against the same fixture modem, step by step, so state one step changes (a PIN, a profile, a
 * default) shows in the next the way the modem model keeps it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureSteps } from '../support/capture.js';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { itWithTools } from '../support/tools.js';

const dms: Record<string, string[][]> = {
  'dms identity of the card, its state, power and software': [
    ['--dms-uim-get-iccid'],
    ['--dms-uim-get-imsi'],
    ['--dms-uim-get-state'],
    ['--dms-get-power-state'],
    ['--dms-get-software-version'],
    ['--dms-get-time'],
  ],
  'dms PIN enable, verify, change, disable, with PIN status between': [
    ['--dms-uim-set-pin-protection=PIN,enable,1234'],
    ['--dms-uim-get-pin-status'],
    ['--dms-uim-verify-pin=PIN,1234'],
    ['--dms-uim-change-pin=PIN,1234,4321'],
    ['--dms-uim-set-pin-protection=PIN,disable,4321'],
    ['--dms-uim-get-pin-status'],
  ],
  'dms PIN blocked by wrong PINs, the IMSI hidden, then unblocked with the PUK': [
    ['--dms-uim-set-pin-protection=PIN,enable,1234'],
    ['--dms-uim-verify-pin=PIN,0000'],
    ['--dms-uim-verify-pin=PIN,0000'],
    ['--dms-uim-verify-pin=PIN,0000'],
    ['--dms-uim-get-state'],
    ['--dms-uim-get-imsi'],
    ['--dms-uim-unblock-pin=PIN,00000000,1111'],
    ['--dms-uim-unblock-pin=PIN,12345678,1111'],
    ['--dms-uim-get-pin-status'],
  ],
  'dms PIN2 and bad PIN arguments': [
    ['--dms-uim-verify-pin=PIN2,4321'],
    ['--dms-uim-change-pin=PIN2,9999,1111'],
    ['--dms-uim-verify-pin=PIN'],
    ['--dms-uim-unblock-pin=PIN,,1111'],
    ['--dms-uim-change-pin=PIN,1234'],
    ['--dms-uim-set-pin-protection=PIN,maybe,1234'],
  ],
  'dms service programming code and factory defaults': [
    ['--dms-validate-service-programming-code=000000'],
    ['--dms-validate-service-programming-code=12345'],
    ['--dms-restore-factory-defaults=654321'],
    ['--dms-restore-factory-defaults=000000'],
  ],
  'dms noop keeps a client for the next, and reset': [['--dms-noop', '--client-no-release-cid'], ['--dms-reset', '--client-cid=1'], ['--dms-noop']],
};

const wds: Record<string, string[][]> = {
  'wds profiles created, listed, modified': [
    ['--wds-create-profile=3gpp,name=work,apn=corp.example,pdp-type=IPV4V6,auth=CHAP,username=alice,context-num=5,no-roaming=yes'],
    ['--wds-get-profile-list=3gpp'],
    ['--wds-modify-profile=3gpp,3,apn=corp2.example,pdp-type=IPV6,disabled=yes'],
    ['--wds-get-profile-list=3gpp'],
  ],
  'wds profile deleted, and refusals of the profile database': [
    ['--wds-create-profile=3gpp,name=work'],
    ['--wds-create-profile=3gpp'],
    ['--wds-delete-profile=3gpp,3'],
    ['--wds-get-profile-list=3gpp'],
    ['--wds-delete-profile=3gpp,3'],
    ['--wds-modify-profile=3gpp,9,name=x'],
  ],
  'wds profile argument errors': [
    ['--wds-create-profile=umts'],
    ['--wds-create-profile='],
    ['--wds-create-profile=3gpp,colour=blue'],
    ['--wds-create-profile=3gpp,auth=KERBEROS'],
    ['--wds-create-profile=3gpp,no-roaming=maybe'],
    ['--wds-create-profile=3gpp,auth='],
    ['--wds-create-profile=3gpp,name=a,name=b'],
    ['--wds-modify-profile=3gpp,1'],
    ['--wds-delete-profile=3gpp,300'],
  ],
  'wds default profile and settings': [
    ['--wds-get-default-profile-number=3gpp'],
    ['--wds-get-default-settings=3gpp'],
    ['--wds-set-default-profile-number=3gpp,2'],
    ['--wds-get-default-profile-number=3gpp'],
    ['--wds-get-default-settings=3gpp'],
  ],
  'wds default profile refusals': [
    ['--wds-delete-profile=3gpp,1'],
    ['--wds-set-default-profile-number=3gpp,7'],
    ['--wds-get-default-profile-number=3gpp2'],
    ['--wds-get-default-settings=lte'],
  ],
  'wds autoconnect settings': [
    ['--wds-get-autoconnect-settings'],
    ['--wds-set-autoconnect-settings=enabled,home-only'],
    ['--wds-get-autoconnect-settings'],
    ['--wds-set-autoconnect-settings=paused'],
    ['--wds-set-autoconnect-settings=disabled,roaming-allowed'],
    ['--wds-get-autoconnect-settings'],
  ],
  'wds autoconnect argument errors': [
    ['--wds-set-autoconnect-settings=sometimes'],
    ['--wds-set-autoconnect-settings=enabled,abroad'],
    ['--wds-set-autoconnect-settings=enabled,home-only,x'],
  ],
  'wds LTE attach PDNs': [
    ['--wds-get-max-lte-attach-pdn-num'],
    ['--wds-get-lte-attach-pdn-list'],
    ['--wds-get-lte-attach-parameters'],
    ['--wds-set-lte-attach-pdn-list=2,1'],
    ['--wds-get-lte-attach-pdn-list'],
    ['--wds-get-lte-attach-parameters'],
  ],
  'wds LTE attach PDN list refusals': [
    ['--wds-set-lte-attach-pdn-list=1,2,3'],
    ['--wds-set-lte-attach-pdn-list=1,x'],
  ],
  'wds call information out of a call': [
    ['--wds-get-packet-statistics'],
    ['--wds-get-channel-rates'],
    ['--wds-get-data-bearer-technology'],
    ['--wds-get-current-data-bearer-technology'],
    ['--wds-get-dormancy-status'],
  ],
  'wds call information during a call': [
    ['--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid'],
    ['--wds-get-packet-statistics'],
    ['--wds-get-data-bearer-technology'],
    ['--wds-get-current-data-bearer-technology'],
    ['--wds-get-dormancy-status'],
  ],
  'wds call information after a call': [
    ['--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid'],
    ['--wds-stop-network=86688', '--client-cid=1'],
    ['--wds-get-packet-statistics'],
    ['--wds-get-data-bearer-technology'],
  ],
  'wds a call without an APN uses the default profile': [
    ['--wds-set-default-profile-number=3gpp,2'],
    ['--wds-start-network=ip-type=4', '--client-no-release-cid'],
    ['--wds-get-current-settings', '--client-cid=2'],
  ],
  'wds reset and noop': [['--wds-noop', '--client-no-release-cid'], ['--wds-reset', '--client-cid=1'], ['--wds-noop']],
};

const itq = itWithTools(['qmicli']);

describe('wwan qmicli DMS matches qmicli 1.32', () => {
  for (const [name, steps] of Object.entries(dms)) itq(name, () => expectSameAsQmicli(steps));
});

describe('wwan qmicli WDS matches qmicli 1.32', () => {
  for (const [name, steps] of Object.entries(wds)) itq(name, () => expectSameAsQmicli(steps));
});

describe('wwan qmicli DMS PINs and the SPC stay out of traces and captures', () => {
  it('-v and --pcap mask the PIN, the PUK, the new PIN and the SPC', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qmia-pcap-'));
    try {
      const pcap = join(dir, 'dms.pcap');
      const steps = [
        ['-v', '--pcap', pcap, '--dms-uim-verify-pin=PIN,9876'],
        ['-v', '--dms-uim-unblock-pin=PIN,55667788,8642'],
        ['-v', '--dms-validate-service-programming-code=135791'],
      ];
      const runs = await captureSteps('wwan', steps);
      expect(runs.map((r) => r.code)).toEqual([1, 1, 1]);
      const text = runs.map((r) => r.stdout + r.stderr).join('\n');
      expect(text).toContain('sent');
      for (const secret of ['9876', '55667788', '8642', '135791']) {
        expect(text).not.toContain(secret);
        expect(text.replaceAll(':', '').toLowerCase()).not.toContain(Buffer.from(secret).toString('hex'));
      }
      const captured = readFileSync(pcap);
      expect(captured.length).toBeGreaterThan(0);
      expect(captured.includes(Buffer.from('9876'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
