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
  // SIM and radio (issue #17)
  ['--enter-pin=1234'],
  ['--enter-pin=pin2,4321'],
  ['--change-pin=1234,5678'],
  ['--enable-pin=1234'],
  ['--disable-pin=1234'],
  ['--disable-pin=network-pin,0000'],
  ['--enter-puk=12345678,1234'],
  ['--enter-puk=puk2,87654321,4321'],
  ['--query-pin-list'],
  ['--query-preferred-providers'],
  ['--query-visible-providers'],
  ['--set-signal-state=signal-strength-interval=5,rssi-threshold=2,error-rate-threshold=4294967295'],
  ['--set-network-idle-hint=enabled'],
  ['--query-network-idle-hint'],
  ['--set-emergency-mode=on'],
  ['--query-emergency-mode'],
  ['--query-provisioned-contexts'],
  ['--set-provisioned-contexts=context-id=3,context-type=internet,auth=pap,compression=enable,username=u,password=p4ss,access-string=apn.example,provider-id=00101'],
  ['--set-provisioned-contexts=access-string=x'],
  ['--query-ip-packet-filters'],
  ['--query-ip-packet-filters=3'],
  ['--atds-query-signal'],
  ['--atds-query-location'],
  ['--ms-query-sys-caps'],
  ['--ms-query-device-caps'],
  ['--ms-query-slot-info-status=1'],
  ['--ms-query-slot-info-status=-1'],
  ['--ms-set-device-slot-mappings=1,0'],
  ['--ms-query-device-slot-mappings'],
  ['--ms-query-location-info-status'],
  ['--ms-query-base-stations-info'],
  ['--ms-query-lte-attach-info'],
  ['--ms-query-lte-attach-configuration'],
  ['--ms-query-nitz'],
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
  ['a wrong PIN', ['--enter-pin=0000'], { [key(basicConnect.uuid, 4)]: { status: 2, buffer: basicConnect.cids.pin.response.encode({ pinType: 2, pinState: 1, remainingAttempts: 2 }) } }],
  ['too many PIN arguments', ['--enter-pin=pin1,1234,5'], {}],
  ['missing PIN arguments', ['--change-pin=1234'], {}],
  ['an empty PIN', ['--enable-pin='], {}],
  ['a PUK type for a PIN', ['--enter-pin=puk1,1234'], {}],
  ['a PIN type for a PUK', ['--enter-puk=pin1,1,2'], {}],
  ['an unknown PIN type', ['--disable-pin=nope,1234'], {}],
  ['a bad idle hint', ['--set-network-idle-hint=maybe'], {}],
  ['a bad signal setting', ['--set-signal-state=rssi-threshold=-1'], {}],
  ['an unknown signal key', ['--set-signal-state=foo=1'], {}],
  ['a bad context type', ['--set-provisioned-contexts=context-type=nope'], {}],
  ['two SIM actions', ['--query-pin-list', '--enter-pin=1'], {}],
  ['no slot index', ['--ms-query-slot-info-status='], {}],
  ['a bad slot index', ['--ms-query-slot-info-status=1x'], {}],
  ['a bad slot mapping', ['--ms-set-device-slot-mappings=0,-1'], {}],
  ['no slot mapping', ['--ms-set-device-slot-mappings='], {}],
  ['two ATDS actions', ['--atds-query-signal', '--atds-query-location'], {}],
  ['ATDS and Basic Connect', ['--atds-query-signal', '--query-pin-list'], {}],
];

describe('wwan mbimcli against mbimcli 1.28.2', () => {
  for (const args of cases) {
    itReal(`${args.join(' ')}: same bytes, output and exit code`, async () => {
      const real = await capture('mbimcli', args, fixture);
      const ours = await capture('wwan', args, fixture);
      expect(real.sent.length).toBeGreaterThan(0);
      expect(ours.sent).toEqual(real.sent);
      // On purpose: passwords print masked.
      expect(ours.stdout).toBe(real.stdout.replace(/(Password: ')(?!unknown')[^'\n]+'/g, "$1********'").replace(/^( {2}Password: {6})(?!n\/a$).+$/gm, '$1********'));
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
