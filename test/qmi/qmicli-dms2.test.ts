/**
 * `wwan qmicli` DMS operations added for issue 17 against the real qmicli 1.32: the same requests and
 * output against the same fixture modem, step by step, so what a step changes in the modem's model
 * (the user lock, user data, activation, the image store and preference) shows in the next.
 */
import { describe } from 'vitest';
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
};

const itq = itWithTools(['qmicli']);

describe('wwan qmicli DMS settings match qmicli 1.32', () => {
  for (const [name, steps] of Object.entries(dms)) itq(name, () => expectSameAsQmicli(steps));
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
