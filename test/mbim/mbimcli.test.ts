/**
 * `wwan mbimcli` against the real mbimcli 1.28 on a pseudo-terminal: for every action, the messages
 * sent must be byte-identical (transaction ids aside) and the output and exit code the same.
 */
import { describe, expect } from 'vitest';
import { itWithTools } from '../support/tools.js';
import { capture } from './capture.js';
import { fixture } from './fixture.js';
import { key } from './peer.js';
import { basicConnect } from '../../src/mbim/services/basic-connect.js';

const itReal = itWithTools(['mbimcli']);

const cases: string[][] = [
  ['--query-device-caps'],
  ['--query-subscriber-ready-status'],
  ['--query-radio-state'],
  ['--set-radio-state=on'],
  ['--set-radio-state', 'off'],
  ['--query-pin-state'],
  ['--query-home-provider'],
  ['--query-registration-state'],
  ['--register-automatic'],
  ['--query-signal-state'],
  ['--query-packet-service-state'],
  ['--attach-packet-service'],
  ['--detach-packet-service'],
  ['--connect=apn=internet,ip-type=ipv4'],
  ['--connect=session-id=3,access-string=ims.example,ip-type=ipv4v6,auth=chap,username=user,password=s3cret,compression=enable,context-type=ims'],
  ['--connect=access-string=x,ip-type=ipv4-and-ipv6,auth=pap,username=u'],
  ['--connect=internet.example,mschapv2,bob,pw'],
  ['--connect=internet.example,MSCHAPV2,bob,pw'],
  ['--query-connection-state'],
  ['--query-connection-state=4'],
  ['--query-ip-configuration'],
  ['--query-ip-configuration=2'],
  ['--disconnect'],
  ['--disconnect=7'],
  ['--query-packet-statistics'],
  ['--query-device-services'],
  ['--dss-connect=01234567-89ab-cdef-0123-456789abcdef,5'],
  ['--dss-disconnect=01234567-89ab-cdef-0123-456789abcdef,5'],
  ['--query-signal-state', '--no-close'],
  ['--query-radio-state', '--no-open=5', '--no-close'],
];

const failures: [string, string[], Record<string, { status?: number; buffer?: Uint8Array }>][] = [
  ['a failure status', ['--query-device-caps'], { [key(basicConnect.uuid, 1)]: { status: 9 } }],
  ['an empty buffer', ['--query-signal-state'], { [key(basicConnect.uuid, 11)]: {} }],
  ['bad connect arguments', ['--connect=auth=PAP'], {}],
  ['an unknown key', ['--connect=bogus=1'], {}],
  ['a bad session id', ['--query-ip-configuration=300'], {}],
  ['two actions', ['--query-radio-state', '--query-pin-state'], {}],
  ['a bad radio state', ['--set-radio-state=maybe'], {}],
  ['a bad DSS UUID', ['--dss-connect=nope,1'], {}],
];

describe('wwan mbimcli against mbimcli 1.28.2', () => {
  for (const args of cases) {
    itReal(`${args.join(' ')}: same bytes, output and exit code`, async () => {
      const real = await capture('mbimcli', args, fixture);
      const ours = await capture('wwan', args, fixture);
      expect(real.sent.length).toBeGreaterThan(0);
      expect(ours.sent).toEqual(real.sent);
      expect(ours.stdout).toBe(real.stdout);
      expect(ours.stderr).toBe(real.stderr);
      expect(ours.code).toBe(real.code);
    });
  }
  for (const [what, args, handlers] of failures) {
    itReal(`${what} (${args.join(' ')}): same error and exit code`, async () => {
      const real = await capture('mbimcli', args, handlers);
      const ours = await capture('wwan', args, handlers);
      expect(ours.sent).toEqual(real.sent);
      expect(ours.stderr).toBe(real.stderr);
      expect(ours.code).toBe(real.code);
    });
  }
});
