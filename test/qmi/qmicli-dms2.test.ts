/**
 * `wwan qmicli` DMS operations added for issue 17 against the real qmicli 1.32: the same requests and
 * output against the same fixture modem, step by step, so what a step changes in the modem's model
 * (the user lock, user data, activation, the image store and preference) shows in the next.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureSteps } from '../support/capture.js';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { itWithTools } from '../support/tools.js';

const dms: Record<string, string[][]> = {
  'band capabilities, supported messages, factory SKU, MAC addresses': [
    ['--dms-get-band-capabilities'],
    ['--dms-get-supported-messages'],
    ['--dms-get-factory-sku'],
    ['--dms-get-mac-address=wlan'],
    ['--dms-get-mac-address=bt'],
    ['--dms-get-mac-address=usb'],
  ],
  'user lock enabled and disabled, its code changed': [
    ['--dms-get-user-lock-state'],
    ['--dms-set-user-lock-state=enable,1111'],
    ['--dms-set-user-lock-state=enable,0000'],
    ['--dms-get-user-lock-state'],
    ['--dms-set-user-lock-state=enable,0000'],
    ['--dms-set-user-lock-code=1234,5678'],
    ['--dms-set-user-lock-code=0000,5678'],
    ['--dms-set-user-lock-state=disable,5678'],
    ['--dms-get-user-lock-state'],
  ],
  'user lock argument errors': [
    ['--dms-set-user-lock-state=maybe,0000'],
    ['--dms-set-user-lock-state=enable'],
    ['--dms-set-user-lock-state=enable,12345'],
    ['--dms-set-user-lock-code=0000'],
    ['--dms-set-user-lock-code=,1234'],
    ['--dms-set-user-lock-code=000,1234'],
  ],
  'user data written and read back': [
    ['--dms-write-user-data=hello modem'],
    ['--dms-read-user-data'],
    ['--dms-write-user-data=' + 'x'.repeat(60)],
    ['--dms-read-user-data'],
    ['--dms-write-user-data=' + 'y'.repeat(200)],
    ['--dms-read-user-data'],
  ],
  'CDMA items: PRL, ERI, activation': [
    ['--dms-get-prl-version'],
    ['--dms-read-eri-file'],
    ['--dms-get-activation-state'],
    ['--dms-activate-manual=123456,1,5551234567,5551234567'],
    ['--dms-activate-manual=000000,65536,5551234567,5551234567'],
    ['--dms-activate-manual=000000,1,5551234567'],
    ['--dms-activate-manual=00000,1,5551234567,5551234567'],
    ['--dms-activate-manual=000000,1,5551234567890123,5551234567'],
    ['--dms-activate-manual=000000,4139,5551234567,5551234567'],
    ['--dms-get-activation-state'],
  ],
  'automatic activation': [
    ['--dms-activate-automatic=22899'],
    ['--dms-get-activation-state'],
    ['--dms-activate-automatic=*22899'],
    ['--dms-get-activation-state'],
  ],
  'boot image download mode, FCC authentication, firmware id': [
    ['--dms-get-boot-image-download-mode'],
    ['--dms-set-boot-image-download-mode=boot-and-recovery'],
    ['--dms-get-boot-image-download-mode'],
    ['--dms-set-boot-image-download-mode=fastboot'],
    ['--dms-set-boot-image-download-mode=normal'],
    ['--dms-get-boot-image-download-mode'],
    ['--dms-set-fcc-authentication'],
    ['--dms-set-firmware-id'],
  ],
  'CK facilities of an unlocked modem': [
    ['--dms-uim-get-ck-status=pn'],
    ['--dms-uim-get-ck-status=xx'],
    ['--dms-uim-set-ck-protection=pn,disable,12345678'],
    ['--dms-uim-set-ck-protection=pn,enable,12345678'],
    ['--dms-uim-set-ck-protection=pn,disable'],
    ['--dms-uim-unblock-ck=pn,12345678'],
    ['--dms-uim-unblock-ck=pn'],
  ],
  'stored images listed, a pair selected, the preference read, a reset boots it': [
    ['--dms-list-stored-images'],
    ['--dms-get-firmware-preference'],
    ['--dms-select-stored-image=modem1,pri2'],
    ['--dms-get-firmware-preference'],
    ['--dms-set-operating-mode=offline'],
    ['--dms-set-operating-mode=reset'],
    ['--dms-list-stored-images'],
    ['--dms-get-revision'],
  ],
  'stored image selection errors': [
    ['--dms-select-stored-image=modem0'],
    ['--dms-select-stored-image=modem0,pri9'],
    ['--dms-select-stored-image=modem0,modem1'],
    ['--dms-select-stored-image=pri0,pri1,modem0'],
    ['--dms-select-stored-image=modem0,pri0,pri1,pri2'],
    ['--dms-select-stored-image=radio0,pri0'],
    ['--dms-select-stored-image=modemx,pri0'],
    ['--dms-select-stored-image='],
  ],
  'stored images deleted, the running one kept': [
    ['--dms-delete-stored-image=pri1'],
    ['--dms-delete-stored-image=modem0'],
    ['--dms-delete-stored-image=modem0,pri0'],
    ['--dms-delete-stored-image=modem5'],
    ['--dms-list-stored-images'],
  ],
  'firmware preference set by versions and carrier': [
    ['--dms-set-firmware-preference=firmware-version=WK1.0.0,config-version=002.029_000,carrier=VERIZON'],
    ['--dms-get-firmware-preference'],
    ['--dms-set-firmware-preference=WK2.0.0,002.031_000,TMOBILE'],
    ['--dms-get-firmware-preference'],
    ['--dms-set-firmware-preference=firmware-version=WK1.0.0,config-version=002.026_000,carrier=GENERIC,override-download=yes,modem-storage-index=3'],
    ['--dms-set-firmware-preference=firmware-version=WK1.0.0,config-version=002.026_000,carrier=GENERIC,modem-storage-index=9'],
  ],
  'firmware preference argument errors': [
    ['--dms-set-firmware-preference=WK1.0.0,002.026_000'],
    ['--dms-set-firmware-preference=firmware-version=WK1.0.0,carrier=GENERIC'],
    ['--dms-set-firmware-preference=firmware-version=WK1.0.0,config-version=1,carrier=X,override-download=maybe'],
    ['--dms-set-firmware-preference=firmware-version=WK1.0.0,config-version=1,carrier=X,modem-storage-index=-1'],
    ['--dms-set-firmware-preference=firmware-version=WK1.0.0,firmware-version=WK2'],
    ['--dms-set-firmware-preference=firmware-version=,config-version=1,carrier=X'],
    ['--dms-set-firmware-preference=colour=blue'],
  ],
};

const itq = itWithTools(['qmicli']);

/** What the model must show in the steps' output, beside matching qmicli (which runs the same model). */
const effects: Record<string, (stdout: string[]) => void> = {
  'user lock enabled and disabled, its code changed': (out) => {
    expect(out[3]).toContain("Enabled: 'yes'");
    expect(out[8]).toContain("Enabled: 'no'");
  },
  'user data written and read back': (out) => {
    expect(out[1]).toContain(`Size: '11' bytes\n\tContents:\n\t\t${Buffer.from('hello modem').toString('hex').toUpperCase().match(/../g)!.join(':')}\n`);
    expect(out[3]).toContain("Size: '60' bytes");
    // 200 bytes are more than the modem keeps: the 60 stay.
    expect(out[5]).toContain("Size: '60' bytes");
  },
  'CDMA items: PRL, ERI, activation': (out) => {
    expect(out[2]).toContain("State: 'not-activated'");
    expect(out[9]).toContain("State: 'activated'");
  },
  'boot image download mode, FCC authentication, firmware id': (out) => {
    expect(out[2]).toContain('mode: boot-and-recovery');
    expect(out[5]).toContain('mode: normal');
  },
  'stored images listed, a pair selected, the preference read, a reset boots it': (out) => {
    expect(out[0]).toMatch(/\[CURRENT\] <<<<<<<<<<\n\t\t\[modem0\]/);
    expect(out[3]).toContain("Build ID:   'WK0.9.2_?'");
    // The older PRI's id is binary: shown in hex.
    expect(out[3]).toContain("Unique ID:  '8F:3A:01:C4:5E:92:00:7B:D1:26:AA:40:13:FE:68:05'");
    expect(out[6]).toMatch(/\[CURRENT\] <<<<<<<<<<\n\t\t\[modem1\]/);
    expect(out[6]).toMatch(/\[CURRENT\] <<<<<<<<<<\n\t\t\[pri2\]/);
    expect(out[7]).toContain("Revision: 'WK0.9.2 ");
  },
  'stored images deleted, the running one kept': (out) => {
    expect(out[4]).not.toContain('VERIZON');
    expect(out[4]).toContain("Build ID:      'WK1.0.0_?'");
  },
  'firmware preference set by versions and carrier': (out) => {
    expect(out[0]).toContain('No new images are required');
    expect(out[2]).toContain("Images to download: 'modem, pri'");
    expect(out[3]).toContain("Unique ID:  '002.031_000'");
    expect(out[4]).toContain("Images to download: 'modem, pri'");
  },
};

describe('wwan qmicli DMS settings match qmicli 1.32', () => {
  for (const [name, steps] of Object.entries(dms)) {
    itq(name, async () => {
      const { ours } = await expectSameAsQmicli(steps);
      effects[name]?.(ours.map((r) => r.stdout));
    });
  }
  itq('CK facilities of a network-locked modem: wrong keys block, the unblock key frees', () =>
    expectSameAsQmicli(
      [
        ['--dms-uim-get-ck-status=pn'],
        ['--dms-uim-set-ck-protection=pn,disable,11111111'],
        ['--dms-uim-set-ck-protection=pn,disable,11111111'],
        ['--dms-uim-get-ck-status=pn'],
        ['--dms-uim-unblock-ck=pn,22222222'],
        ['--dms-uim-unblock-ck=pn,12345678'],
        ['--dms-uim-get-ck-status=pn'],
        ['--dms-uim-set-ck-protection=pn,disable,12345678'],
        ['--dms-uim-get-ck-status=pn'],
      ],
      { personalization: [{ feature: 'gw-network', key: '12345678', verifyRetries: 2, unblockRetries: 5 }] },
    ),
  );
});

describe('wwan qmicli DMS lock codes, the SPC and control keys stay out of traces and captures', () => {
  it('-v and --pcap mask them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdms-pcap-'));
    try {
      const pcap = join(dir, 'dms.pcap');
      const runs = await captureSteps('wwan', [
        ['-v', '--pcap', pcap, '--dms-set-user-lock-state=enable,7531'],
        ['-v', '--dms-set-user-lock-code=7531,8642'],
        ['-v', '--dms-activate-manual=975310,1,5551234567,5557654321'],
        ['-v', '--dms-uim-set-ck-protection=pn,disable,24681357'],
      ]);
      expect(runs.map((r) => r.code)).toEqual([1, 1, 1, 1]);
      const text = runs.map((r) => r.stdout + r.stderr).join('\n');
      expect(text).toContain('sent');
      for (const secret of ['7531', '8642', '975310', '5557654321', '24681357']) {
        expect(text).not.toContain(secret);
        expect(text.replaceAll(':', '').toLowerCase()).not.toContain(Buffer.from(secret).toString('hex'));
      }
      const captured = readFileSync(pcap);
      expect(captured.length).toBeGreaterThan(0);
      expect(captured.includes(Buffer.from('7531'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
