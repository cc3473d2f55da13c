/** QMI codec rates: a small message (DMS Get IDs) and a large one (WDS Get Current Settings, every TLV). */
import { decodeTlvs, encodeTlvs } from '../src/qmi/codec.js';
import { decodeQmux, encodeQmux } from '../src/qmi/qmux.js';
import { QmuxFramer } from '../src/qmi/framer.js';
import { dms } from '../src/qmi/services/dms.js';
import { wds } from '../src/qmi/services/wds.js';
import type { MessageDef, ResponseOf } from '../src/qmi/schema.js';
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

function figures(name: string, def: MessageDef<any, any>, values: unknown): void {
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
  report({ bench: `qmi.decode.${name}`, unit: 'messages/s', value: dec.opsPerSec, baseline, bytes: frame.length });
}

export function run(): void {
  figures('dms.getIds', dms.messages.getIds, getIds);
  figures('wds.getCurrentSettings', wds.messages.getCurrentSettings, currentSettings);

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
