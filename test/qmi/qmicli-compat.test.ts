/**
 * `wwan qmicli` against the real qmicli: for every operation, the same requests on the wire (service,
 * message, TLVs and values; transaction/client ids and TLV order aside) and the same output and exit
 * code, both run against the same scripted modem on a raw pseudo-terminal.
 */
import { describe, expect } from 'vitest';
import { captureSteps } from '../support/capture.js';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { itWithTools } from '../support/tools.js';

const cases: Record<string, string[][]> = {
  'dms-get-ids': [['--dms-get-ids']],
  'dms-get-manufacturer': [['--dms-get-manufacturer']],
  'dms-get-model': [['--dms-get-model']],
  'dms-get-revision': [['--dms-get-revision']],
  'dms-get-msisdn': [['--dms-get-msisdn']],
  'dms-get-hardware-revision': [['--dms-get-hardware-revision']],
  'dms-get-capabilities': [['--dms-get-capabilities']],
  'dms operating mode': [['--dms-get-operating-mode'], ['--dms-set-operating-mode=offline'], ['--dms-get-operating-mode'], ['--dms-set-operating-mode', 'bogus']],
  'client id kept and reused': [['--dms-get-ids', '--client-no-release-cid'], ['--dms-get-model', '--client-cid=1']],
  'nas-get-signal-strength': [['--nas-get-signal-strength']],
  'nas-get-signal-info': [['--nas-get-signal-info']],
  'nas-get-serving-system': [['--nas-get-serving-system']],
  'nas-get-home-network': [['--nas-get-home-network']],
  'uim-get-card-status': [['--uim-get-card-status']],
  'wda set and get data format': [
    ['--wda-get-data-format'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmap,dl-protocol=qmap,dl-max-datagrams=32,dl-datagram-max-size=32768,ep-type=hsusb,ep-iface-number=4'],
    ['--wda-get-data-format'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmapv5,dl-protocol=qmapv5,dl-max-datagrams=64,dl-datagram-max-size=16384,ul-max-datagrams=16,ul-datagram-max-size=4096,ep-type=pcie,ep-iface-number=1'],
    ['--wda-set-data-format=raw-ip'],
    ['--wda-set-data-format=802-3'],
  ],
  // qmicli's own readers: exact nicks, atoi numbers (-1 means "not given"), case-blind keys, its messages.
  'wda data format arguments': [
    ['--wda-set-data-format=toString'],
    ['--wda-set-data-format=RAW-IP'],
    ['--wda-set-data-format=link-layer-protocol=bogus'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=constructor'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,dl-protocol=QMAP'],
    ['--wda-set-data-format=Link-Layer-Protocol=raw-ip,dl-protocol=qmap,dl-max-datagrams=x,dl-datagram-max-size=12abc,ul-max-datagrams=-3'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,dl-max-datagrams=-1,dl-datagram-max-size=-1,ul-max-datagrams=-1,ul-datagram-max-size=0'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,ep-type=hsusb'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,ep-type=hsusb,ep-iface-number=-1'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,ep-type=pcie,ep-iface-number=x'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,ep-type=bogus,ep-iface-number=4'],
    ['--wda-set-data-format=ul-protocol=qmap'],
    ['--wda-set-data-format=link-layer-protocol=raw-ip,foo=bar'],
    ['--wda-set-data-format=link-layer-protocol='],
    ['--wda-get-data-format=ep-type=bogus,ep-iface-number=4'],
    ['--wda-get-data-format=ep-type=hsusb'],
    ['--wda-get-data-format=EP-TYPE=hsusb,ep-iface-number=x'],
    ['--wda-get-data-format=ep-type=hsusb,ep-iface-number=4,mux-id=1'],
  ],
  'wds-bind-mux-data-port': [['--wds-bind-mux-data-port=mux-id=1,ep-iface-number=4'], ['--wds-bind-mux-data-port=mux-id=7,ep-type=pcie,ep-iface-number=2']],
  'wds bind mux data port arguments': [
    ['--wds-bind-mux-data-port=MUX-ID=2,EP-IFACE-NUMBER=4'],
    ['--wds-bind-mux-data-port=mux-id=254,ep-type=embedded,ep-iface-number=4294967294'],
  ],
  'wds-set-ip-family': [['--wds-set-ip-family=4'], ['--wds-set-ip-family=6']],
  'wds-get-profile-list': [['--wds-get-profile-list=3gpp'], ['--wds-get-profile-list=3gpp2']],
  'wds-get-packet-service-status': [['--wds-get-packet-service-status']],
  'wds call on a kept client': [
    ['--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid'],
    ['--wds-get-packet-service-status', '--client-cid=1', '--client-no-release-cid'],
    ['--wds-get-current-settings', '--client-cid=1', '--client-no-release-cid'],
    ['--wds-stop-network=86688', '--client-cid=1'],
  ],
  'wds ipv6 call with every start key': [
    ['--wds-start-network=apn=ims,ip-type=6,auth=CHAP,username=bob,password=secret,3gpp-profile=2,autoconnect=yes', '--client-no-release-cid'],
    ['--wds-get-current-settings', '--client-cid=1'],
  ],
  'wds start network refused by the network': [['--wds-start-network=apn=nope,ip-type=4'], ['--wds-start-network=internet,PAP,user,pw']],
  'wds start network argument forms': [
    ['--wds-start-network=', '--client-no-release-cid'],
    ['--wds-start-network=apn=ims'],
    ['--wds-start-network=mms,BOTH'],
    ['--wds-start-network=apn=internet,ip-type=6', '--client-no-release-cid'],
    ['--wds-start-network=apn=internet,ip-type=4'],
  ],
  'wds stop network errors': [['--wds-stop-network=1234'], ['--wds-stop-network=disable-autoconnect']],
  'nas scan and technology preference': [
    ['--nas-network-scan'],
    ['--nas-set-system-selection-preference=umts|gsm'],
    ['--nas-get-serving-system'],
  ],
  'nas manual registration, refused by the forbidden network, then automatic': [
    ['--nas-set-system-selection-preference=lte,manual=00102'],
    ['--nas-get-serving-system'],
    ['--nas-set-system-selection-preference=manual=00104'],
    ['--nas-network-scan'],
    ['--nas-set-system-selection-preference=automatic'],
    ['--nas-force-network-search'],
  ],
  'nas selection preference errors': [
    ['--nas-set-system-selection-preference=lte|bogus'],
    ['--nas-set-system-selection-preference=manual=0010'],
    ['--nas-set-system-selection-preference=sometimes'],
    ['--nas-set-system-selection-preference=a,b,c'],
    ['--nas-set-system-selection-preference=|'],
  ],
  'uim PIN1 enable, verify, change, disable': [
    ['--uim-set-pin-protection=PIN1,enable,1234'],
    ['--uim-set-pin-protection=PIN1,enable,1234'],
    ['--uim-verify-pin=PIN1,1234'],
    ['--uim-change-pin=PIN1,1234,4321'],
    ['--uim-set-pin-protection=PIN1,disable,4321'],
  ],
  'uim PIN1 blocked and unblocked with the PUK': [
    ['--uim-verify-pin=PIN1,0000'],
    ['--uim-verify-pin=PIN1,0000'],
    ['--uim-verify-pin=PIN1,0000'],
    ['--uim-verify-pin=PIN1,1234'],
    ['--uim-unblock-pin=PIN1,00000000,1111'],
    ['--uim-unblock-pin=PIN1,12345678,1111'],
    ['--uim-get-card-status'],
  ],
  'uim PIN2': [
    ['--uim-verify-pin=PIN2,4321'],
    ['--uim-change-pin=PIN2,9999,1111'],
    ['--uim-unblock-pin=PIN2,87654321,1111'],
  ],
  'uim bad PIN arguments': [
    ['--uim-verify-pin=PIN3,1234'],
    ['--uim-verify-pin=PIN1'],
    ['--uim-unblock-pin=PIN1,,1111'],
    ['--uim-change-pin=PIN1,1234'],
    ['--uim-set-pin-protection=PIN1,maybe,1234'],
    ['--uim-set-pin-protection=UPIN,enable,1234'],
  ],
  'uim read transparent': [
    ['--uim-read-transparent=0x3F00,0x2FE2'],
    ['--uim-read-transparent=0x3F00,0x7FFF,0x6F07'],
    ['--uim-read-transparent=0x3F00,0x7FFF,0x6F46'],
    ['--uim-read-transparent=0x3F00,0x7FFF,0x6F99'],
    ['--uim-read-transparent=0x3F00,zz'],
  ],
  'uim file attributes and records': [
    ['--uim-get-file-attributes=0x3F00,0x7FFF,0x6F40'],
    ['--uim-get-file-attributes=0x3F00,0x2FE2'],
    ['--uim-get-file-attributes=0x3F00,0x7FFF,0x6F99'],
    ['--uim-read-record=file=0x3F00-0x7FFF-0x6F40,record-number=1,record-length=18'],
    ['--uim-read-record=file=0x3F00-0x7FFF-0x6F40,record-number=3,record-length=18'],
    ['--uim-read-record=file=0x3F00-0x7FFF-0x6F40,record-number=1,record-length=4'],
    ['--uim-read-record=file=0x3F00-0x7FFF-0x6F40,record-number=99999'],
    ['--uim-read-record=file=0x3F00-0x7FFF-0x6F40,colour=blue'],
  ],
  'uim slots': [
    ['--uim-get-slot-status'],
    ['--uim-switch-slot=2'],
    ['--uim-get-slot-status'],
    ['--uim-get-card-status'],
    ['--uim-switch-slot=2'],
    ['--uim-switch-slot=3'],
  ],
  'uim card power': [
    ['--uim-switch-slot=2'],
    ['--uim-sim-power-off=2'],
    ['--uim-get-card-status'],
    ['--uim-sim-power-on=2'],
    ['--uim-sim-power-on=x'],
    ['--uim-sim-power-off=7'],
    ['--uim-switch-slot=1'],
  ],
  'wms-get-supported-messages': [['--wms-get-supported-messages']],
  'wms routes': [
    ['--wms-get-routes'],
    ['--wms-set-routes=type=point,class=0,storage=uim,receipt-action=store-and-notify,type=point,class=none,storage=nv,receipt-action=transfer-only'],
    ['--wms-get-routes'],
    ['--wms-set-routes=type=point,class=9,storage=nv,receipt-action=discard'],
    ['--wms-set-routes=type=point,class=1'],
    ['--wms-set-routes=type=point,type=point'],
    ['--wms-set-routes='],
  ],
  'wms-reset': [['--wms-reset']],
};

const itq = itWithTools(['qmicli']);

describe('wwan qmicli matches qmicli 1.32', () => {
  for (const [name, steps] of Object.entries(cases)) {
    itq(name, () => expectSameAsQmicli(steps));
  }
});

/**
 * Where qmicli 1.32 refuses a --wds-bind-mux-data-port argument it prints its error lines, then still
 * sends an empty Bind Mux Data Port request and exits 0 (its input is NULL): ours prints the same lines,
 * sends nothing and exits 1.
 */
describe('wwan qmicli --wds-bind-mux-data-port refusals', () => {
  const itq = itWithTools(['qmicli']);
  itq('the same error lines as qmicli 1.32, nothing sent, exit 1', async () => {
    const args = [
      'mux-id=1', 'ep-iface-number=4', 'mux-id=255,ep-iface-number=4', 'mux-id=x,ep-iface-number=4', 'mux-id=1,ep-type=bogus,ep-iface-number=4',
      'mux-id=1,ep-type=HSUSB,ep-iface-number=4', 'mux-id=1,ep-iface-number=4,client-type=tethered', 'mux-id=1,ep-iface-number=', '1',
      'mux-id=3,ep-iface-number=-2', 'mux-id=4,ep-iface-number=4x', 'mux-id=4,ep-iface-number=4294967296', 'mux-id=4,ep-iface-number=4294967295',
    ];
    const steps = args.map((a) => [`--wds-bind-mux-data-port=${a}`]);
    const [real, ours] = await Promise.all([captureSteps('qmicli', steps), captureSteps('wwan', steps)]);
    const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('error: '));
    args.forEach((a, i) => {
      const ctx = `--wds-bind-mux-data-port=${a}`;
      expect(errorLines(real[i]!.stderr).length, ctx).toBeGreaterThan(0);
      expect(errorLines(ours[i]!.stderr), ctx).toEqual(errorLines(real[i]!.stderr));
      expect([ours[i]!.requests, ours[i]!.code, ours[i]!.stdout], ctx).toEqual([[], 1, '']);
      // qmicli's empty request: the message and no TLVs.
      expect(real[i]!.requests, ctx).toEqual(['1/0xa2 ']);
    });
  }, 60_000);
});
