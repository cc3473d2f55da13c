/**
 * qmicli's enum arguments are GLib nick look-ups: only the enum's own names are values. A name every
 * JavaScript object answers to (`toString`, `constructor`, `__proto__`) is no nick: `wwan qmicli` refuses
 * it with qmicli's own error lines, as the real qmicli does (src/cli/qmicli/enum-arg.ts).
 */
import { describe } from 'vitest';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { itWithTools } from '../support/tools.js';

const itq = itWithTools(['qmicli']);

describe('wwan qmicli reads enum arguments as qmicli 1.32 does', () => {
  itq('names of Object.prototype are no nicks', () =>
    expectSameAsQmicli([
      ['--nas-set-system-selection-preference=toString'],
      ['--nas-set-system-selection-preference=lte|constructor'],
      ['--nas-set-system-selection-preference=__proto__,automatic'],
      ['--wds-bind-data-port=hasOwnProperty'],
      ['--uim-verify-pin=valueOf,1234'],
      ['--dms-get-mac-address=toString'],
      ['--dms-uim-set-ck-protection=constructor,disabled,1234'],
      ['--wds-get-profile-list=toString'],
      ['--wds-get-profile-list=3GPP'],
      ['--wds-get-profile-list=3gpp'],
      ['--uim-change-provisioning-session=session-type=toString,activate=yes'],
      // and the nicks themselves still work
      ['--nas-set-system-selection-preference=umts|lte'],
      ['--wds-bind-data-port=a2-mux-rmnet1'],
    ]));
});
