/**
 * QMI codec rates: a small message (DMS Get IDs), a large one (WDS Get Current Settings, every TLV)
 * and WDS Start Network (APN and IP family), beside memcpy and, where libqmi-glib-dev is installed,
 * libqmi timed on the same frames in the same run (bench/anchors/libqmi.c).
 */
import { decodeTlvs, encodeTlvs } from '../src/qmi/codec.js';
import { describeQmux } from '../src/qmi/describe.js';
import { decodeQmux, encodeQmux } from '../src/qmi/qmux.js';
import { QmuxFramer } from '../src/qmi/framer.js';
import { dms } from '../src/qmi/services/dms.js';
import { wds } from '../src/qmi/services/wds.js';
import type { MessageDef, RequestOf, ResponseOf } from '../src/qmi/schema.js';
import { buildAnchor, runAnchor, type AnchorFigure } from './anchors.js';
import { measure, memcpyRate, report } from './harness.js';

const ok = { status: 0, error: 0 };

const getIds: ResponseOf<typeof dms.messages.getIds> = { esn: '80ABCDEF', imei: '490154203237518', meid: 'A0000012345678', imeiSoftwareVersion: '12' };

const currentSettings: ResponseOf<typeof wds.messages.getCurrentSettings> = {
  profileName: 'internet',
  pdpType: 3,
  apnName: 'internet',
  primaryIpv4DnsAddress: '10.64.255.53',
  secondaryIpv4DnsAddress: '10.64.255.54',
  umtsGrantedQos: { trafficClass: 3, maxUplinkBitrate: 50_000_000, maxDownlinkBitrate: 150_000_000, guaranteedUplinkBitrate: 0, guaranteedDownlinkBitrate: 0, qosDeliveryOrder: 0, maximumSduSize: 1500, sduErrorRatio: 0, residualBitErrorRatio: 0, deliveryErroneousSdu: 0, transferDelay: 0, trafficHandlingPriority: 0 },
  gprsGrantedQos: { precedenceClass: 1, delayClass: 1, reliabilityClass: 1, peakThroughputClass: 1, meanThroughputClass: 1 },
  username: 'user',
  authentication: 3,
  ipv4Address: '10.64.0.2',
  profileId: { profileType: 0, profileIndex: 1 },
  ipv4GatewayAddress: '10.64.0.1',
  ipv4GatewaySubnetMask: '255.255.255.0',
  pcscfAddressUsingPco: true,
  pcscfServerAddressList: ['10.64.255.10', '10.64.255.11'],
  pcscfDomainNameList: ['ims.example.net'],
  ipv6Address: { address: '2001:db8:64:2::2', prefixLength: 64 },
  ipv6GatewayAddress: { address: '2001:db8:64:2::1', prefixLength: 64 },
  ipv6PrimaryDnsAddress: '2001:db8:64::53',
  ipv6SecondaryDnsAddress: '2001:db8:64::54',
  mtu: 1500,
  domainNameList: ['example.net', 'sim.wwankit.test'],
  ipFamily: 4,
  imcnFlag: 0,
  extendedTechnologyPreference: 0x8880,
};

const startNetwork: RequestOf<typeof wds.messages.startNetwork> = { apn: 'internet', ipFamilyPreference: 4 };

const anchorOf = (f: AnchorFigure | undefined): Record<string, unknown> =>
  f ? { anchor: { name: `libqmi ${f.name}`, value: Math.round(f.opsPerSec) } } : {};

function figures(name: string, def: MessageDef<any, any>, values: unknown, decodeAnchor?: () => AnchorFigure | undefined): void {
  const frame = encodeQmux({ service: def.service.id, clientId: 1, type: 'response', transaction: 1, messageId: def.id, tlvs: encodeTlvs(def.response, values as never, { result: ok }) });
  const copy = memcpyRate(frame.length);
  const baseline = { name: `memcpy ${frame.length} B`, value: copy.opsPerSec };
  const enc = measure(() => {
    encodeQmux({ service: def.service.id, clientId: 1, type: 'response', transaction: 1, messageId: def.id, tlvs: encodeTlvs(def.response, values as never, { result: ok }) });
  });
  report({ bench: `qmi.encode.${name}`, unit: 'messages/s', value: enc.opsPerSec, baseline, bytes: frame.length });
  const dec = measure(() => {
    const f = decodeQmux(frame);
    if (!f.ok) throw f.error;
    const r = decodeTlvs(def.response, f.value.tlvs, { response: true });
    if (!r.ok) throw r.error;
  });
  later.push(() => report({ bench: `qmi.decode.${name}`, unit: 'messages/s', value: dec.opsPerSec, baseline, bytes: frame.length, ...anchorOf(decodeAnchor?.()) }));
}

const frameOf = (def: MessageDef<any, any>, type: 'request' | 'response', values: unknown): Uint8Array =>
  encodeQmux({ service: def.service.id, clientId: 1, type, transaction: 1, messageId: def.id, tlvs: encodeTlvs(def[type], values as never, type === 'response' ? { result: ok } : {}) });

/** Reports that name libqmi's figures, made once its second run is in. */
const later: (() => void)[] = [];

/** libqmi on the same frames, or why not. */
async function libqmi(): Promise<Map<string, AnchorFigure> | string> {
  const built = await buildAnchor('libqmi', 'qmi-glib');
  if ('missing' in built) return built.missing;
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  const ms = String(Number(process.env.BENCH_MS ?? 400));
  return runAnchor(built.path, [ms, hex(frameOf(wds.messages.startNetwork, 'request', startNetwork)), hex(frameOf(wds.messages.getCurrentSettings, 'response', currentSettings))]);
}

export async function run(): Promise<void> {
  // libqmi runs before and after ours and its faster figure of the two stands: the machine's speed
  // drifts within a run, and this way the drift never flatters us.
  const before = await libqmi();
  if (typeof before === 'string') process.stdout.write(`${JSON.stringify({ bench: 'qmi.anchors.libqmi', skipped: `needs ${before}` })}\n`);
  let after: Awaited<ReturnType<typeof libqmi>> = before;
  const anchor = (name: string): AnchorFigure | undefined => {
    const [a, b] = [before, after].map((m) => (typeof m === 'string' ? undefined : m.get(name)));
    return a && b ? (a.opsPerSec >= b.opsPerSec ? a : b) : (a ?? b);
  };

  figures('dms.getIds', dms.messages.getIds, getIds);
  figures('wds.getCurrentSettings', wds.messages.getCurrentSettings, currentSettings, () => anchor('printable.wds.getCurrentSettings'));

  // Start Network as the host sends it, beside libqmi building and parsing the same frame.
  const sn = wds.messages.startNetwork;
  const frame = frameOf(sn, 'request', startNetwork);
  const copy = { name: `memcpy ${frame.length} B`, value: memcpyRate(frame.length).opsPerSec };
  const enc = measure(() => frameOf(sn, 'request', startNetwork));
  later.push(() => {
    const build = anchor('build.wds.startNetwork');
    report({ bench: 'qmi.encode.wds.startNetwork', unit: 'messages/s', value: enc.opsPerSec, baseline: build ? { name: 'libqmi build (qmi_message_new + TLV writes)', value: build.opsPerSec } : copy, bytes: frame.length });
  });
  const dec = measure(() => {
    const f = decodeQmux(frame);
    if (!f.ok) throw f.error;
    const r = decodeTlvs(sn.request, f.value.tlvs, { response: false });
    if (!r.ok) throw r.error;
  });
  later.push(() => {
    const parse = anchor('parse.wds.startNetwork');
    report({ bench: 'qmi.decode.wds.startNetwork', unit: 'messages/s', value: dec.opsPerSec, baseline: parse ? { name: 'libqmi parse (qmi_message_new_from_raw + TLV reads)', value: parse.opsPerSec } : copy, bytes: frame.length });
  });

  // Printable decodes: ours (describeQmux, every TLV named with its value) beside qmi_message_get_printable_full.
  for (const [name, def, type, values] of [
    ['wds.startNetwork', sn, 'request', startNetwork],
    ['wds.getCurrentSettings', wds.messages.getCurrentSettings, 'response', currentSettings],
  ] as const) {
    const f = frameOf(def, type, values);
    const rate = measure(() => describeQmux(f));
    later.push(() => {
      const printable = anchor(`printable.${name}`);
      report({ bench: `qmi.describe.${name}`, unit: 'messages/s', value: rate.opsPerSec, baseline: printable ? { name: 'libqmi printable (qmi_message_get_printable_full)', value: printable.opsPerSec } : copy, bytes: f.length });
    });
  }
  if (typeof before !== 'string') after = await libqmi();
  for (const r of later.splice(0)) r();

  // The stream framer on 64 Get IDs responses per read.
  const one = encodeQmux({ service: 2, clientId: 1, type: 'response', transaction: 1, messageId: 0x25, tlvs: encodeTlvs(dms.messages.getIds.response, getIds, { result: ok }) });
  const chunk = new Uint8Array(one.length * 64);
  for (let i = 0; i < 64; i++) chunk.set(one, i * one.length);
  let frames = 0;
  const framer = new QmuxFramer({ frame: () => frames++ });
  const rate = measure(() => framer.push(chunk), 64);
  if (frames === 0) throw new Error('framer found nothing');
  report({ bench: 'qmi.framer.getIds', unit: 'frames/s', value: rate.opsPerSec, baseline: { name: `memcpy ${one.length} B`, value: memcpyRate(one.length).opsPerSec } });
}
