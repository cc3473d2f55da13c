import { describe, expect, expectTypeOf, it } from 'vitest';
import { fromHex, toHex } from '../../src/wire/index.js';
import { decodeQmux, encodeQmux } from '../../src/qmi/qmux.js';
import { decodeTlvs, encodeTlvs } from '../../src/qmi/codec.js';
import type { RequestOf, ResponseOf, TlvMap, TlvValues } from '../../src/qmi/schema.js';
import { findIndication, findMessage, findService, services } from '../../src/qmi/registry.js';
import { dms, DmsOperatingMode } from '../../src/qmi/services/dms.js';
import { nas, NasRadioInterface, NasRegistrationState } from '../../src/qmi/services/nas.js';
import { pdc, PdcConfigurationType } from '../../src/qmi/services/pdc.js';
import { uim, UimCardApplicationType, UimPinState } from '../../src/qmi/services/uim.js';
import { wda, WdaDataAggregationProtocol } from '../../src/qmi/services/wda.js';
import { DataEndpointType, wds, WdsIpFamily, WdsVerboseCallEndReasonType } from '../../src/qmi/services/wds.js';

const hex = (s: string): Uint8Array => fromHex(s)!;

/** A request as qmicli sends it in PROTOCOLS.md A.2: CID 7, transaction 1. */
function request<M extends TlvMap>(service: number, messageId: number, defs: M, values: TlvValues<M>): string {
  return toHex(encodeQmux({ service, clientId: 7, type: 'request', transaction: 1, messageId, tlvs: encodeTlvs(defs, values) }));
}

/** Decodes a hand-built response block (result TLV included), failing the test on a decode error. */
function response<M extends TlvMap>(defs: M, block: string): TlvValues<M> {
  const r = decodeTlvs(defs, hex(block), { response: true });
  if (!r.ok) throw r.error;
  expect(r.value.invalid).toEqual([]);
  expect(r.value.warnings).toEqual([]);
  return r.value.values;
}

const SUCCESS = '02 04 00 00 00 00 00';

describe('observed qmicli requests, byte for byte', () => {
  it('DMS Get IDs', () => {
    expect(request(dms.id, dms.messages.getIds.id, dms.messages.getIds.request, {})).toBe('01 0c 00 00 02 07 00 01 00 25 00 00 00');
  });

  it('WDS Start Network apn=internet,ip-type=4', () => {
    const frame = '01 1b 00 00 01 07 00 01 00 20 00 0f 00 19 01 00 04 14 08 00 69 6e 74 65 72 6e 65 74';
    const start = wds.messages.startNetwork;
    expect(request(wds.id, start.id, start.request, { apn: 'internet', ipFamilyPreference: WdsIpFamily.names.ipv4 })).toBe(frame);
    const f = decodeQmux(hex(frame));
    if (!f.ok) throw f.error;
    const v = decodeTlvs(start.request, f.value.tlvs, { response: false });
    expect(v.ok && v.value.values).toEqual({ apn: 'internet', ipFamilyPreference: 4 });
  });

  it('WDS Get Current Settings with mask 0xE330', () => {
    const m = wds.messages.getCurrentSettings;
    expect(request(wds.id, m.id, m.request, { requestedSettings: 0xe330 })).toBe('01 13 00 00 01 07 00 01 00 2d 00 07 00 10 04 00 30 e3 00 00');
    expect(m.request.requestedSettings.codec.show(0xe330)).toEqual([
      'dns-address',
      'granted-qos',
      'ip-address',
      'gateway-info',
      'mtu',
      'domain-name-list',
      'ip-family',
    ]);
  });

  it('NAS Get Signal Strength with mask 0xEF', () => {
    const m = nas.messages.getSignalStrength;
    expect(request(nas.id, m.id, m.request, { requestMask: 0xef })).toBe('01 11 00 00 03 07 00 01 00 20 00 05 00 10 02 00 ef 00');
  });

  it('WDA Set Data Format, key=value form', () => {
    const m = wda.messages.setDataFormat;
    const frame = request(wda.id, m.id, m.request, {
      linkLayerProtocol: 2,
      uplinkDataAggregationProtocol: WdaDataAggregationProtocol.names.qmap,
      downlinkDataAggregationProtocol: WdaDataAggregationProtocol.names.qmap,
      downlinkDataAggregationMaxDatagrams: 32,
      downlinkDataAggregationMaxSize: 32768,
      endpointInfo: { endpointType: DataEndpointType.names.hsusb, interfaceNumber: 4 },
    });
    expect(frame).toBe(
      '01 3a 00 00 1a 07 00 01 00 20 00 2e 00 ' +
        '17 08 00 02 00 00 00 04 00 00 00 16 04 00 00 80 00 00 15 04 00 20 00 00 00 ' +
        '13 04 00 05 00 00 00 12 04 00 05 00 00 00 11 04 00 02 00 00 00',
    );
  });

  it('WDS Bind Mux Data Port mux-id=1,ep-iface-number=4', () => {
    const m = wds.messages.bindMuxDataPort;
    const frame = request(wds.id, m.id, m.request, {
      clientType: 1,
      muxId: 1,
      endpointInfo: { endpointType: DataEndpointType.names.hsusb, interfaceNumber: 4 },
    });
    expect(frame).toBe('01 22 00 00 01 07 00 01 00 a2 00 16 00 13 04 00 01 00 00 00 11 01 00 01 10 08 00 02 00 00 00 04 00 00 00');
  });
});

describe('hand-built responses', () => {
  it('WDS Get Current Settings: IPv4 as LE u32, IPv6 as BE words, u16-prefixed domain names', () => {
    const v = response(
      wds.messages.getCurrentSettings.response,
      `${SUCCESS} 2b 01 00 04 1e 04 00 02 00 00 0a 20 04 00 01 00 00 0a 21 04 00 00 ff ff ff 15 04 00 08 08 08 08
       25 11 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 40
       27 10 00 20 01 48 60 48 60 00 00 00 00 00 00 00 00 88 88
       29 04 00 dc 05 00 00 2a 0d 00 02 05 00 6c 6f 63 61 6c 03 00 6c 61 6e`,
    );
    expect(v).toEqual({
      ipFamily: 4,
      ipv4Address: '10.0.0.2',
      ipv4GatewayAddress: '10.0.0.1',
      ipv4GatewaySubnetMask: '255.255.255.0',
      primaryIpv4DnsAddress: '8.8.8.8',
      ipv6Address: { address: '2001:db8::1', prefixLength: 64 },
      ipv6PrimaryDnsAddress: '2001:4860:4860::8888',
      mtu: 1500,
      domainNameList: ['local', 'lan'],
    });
    expect(WdsIpFamily.show(v.ipFamily!)).toBe('ipv4');
  });

  it('WDS Start Network: a packet data handle on success, call-end reasons on CallFailed', () => {
    const m = wds.messages.startNetwork.response;
    expect(response(m, `${SUCCESS} 01 04 00 78 56 34 12`)).toEqual({ packetDataHandle: 0x12345678 });
    const failed = decodeTlvs(m, hex('02 04 00 01 00 0e 00 10 02 00 01 00 11 04 00 06 00 21 00'), { response: true });
    if (!failed.ok) throw failed.error;
    expect(failed.value.result).toEqual({ status: 1, error: 14 });
    expect(failed.value.values).toEqual({ callEndReason: 1, verboseCallEndReason: { type: 6, reason: 33 } });
    expect(m.verboseCallEndReason.codec.show(failed.value.values.verboseCallEndReason!)).toEqual({ type: '3gpp', reason: 33 });
    expect(WdsVerboseCallEndReasonType.names.cm).toBe(3);
    const noHandle = decodeTlvs(m, hex(SUCCESS), { response: true });
    expect(!noHandle.ok && noHandle.error.message).toContain('TLV 0x01 not found');
  });

  it('WDS Packet Service Status indication and Get Profile List', () => {
    const ind = wds.indications.packetServiceStatus;
    const r = decodeTlvs(ind.tlvs, hex('01 02 00 02 00 12 01 00 04'), { response: false });
    expect(r.ok && r.value.values).toEqual({ connectionStatus: { status: 2, reconfigurationRequired: false }, ipFamily: 4 });
    const list = response(wds.messages.getProfileList.response, `${SUCCESS} 01 0d 00 02 00 01 03 6f 6e 65 01 02 03 74 77 6f`);
    expect(list.profileList).toEqual([
      { profileType: 0, profileIndex: 1, profileName: 'one' },
      { profileType: 1, profileIndex: 2, profileName: 'two' },
    ]);
  });

  it('NAS Get Signal Strength: the mandatory pair and u16-count lists', () => {
    const v = response(nas.messages.getSignalStrength.response, `${SUCCESS} 01 02 00 b9 08 11 06 00 02 00 47 08 50 05 18 02 00 a6 ff`);
    expect(v).toEqual({
      signalStrength: { strength: -71, radioInterface: 8 },
      rssiList: [
        { value: 71, radioInterface: 8 },
        { value: 80, radioInterface: 5 },
      ],
      lteRsrp: -90,
    });
    expect(NasRadioInterface.show(v.signalStrength.radioInterface)).toBe('lte');
  });

  it('NAS Get Signal Info: LTE RSSI/RSRQ/RSRP/SNR and 5G', () => {
    const v = response(nas.messages.getSignalInfo.response, `${SUCCESS} 14 06 00 c0 f6 a6 ff 64 00 17 04 00 9c ff 5a 00`);
    expect(v).toEqual({ lte: { rssi: -64, rsrq: -10, rsrp: -90, snr: 100 }, nr5g: { rsrp: -100, snr: 90 } });
  });

  it('NAS serving system: response ids and the indication’s shifted ids', () => {
    const ss = '01 06 00 01 01 01 02 01 08 12 0c 00 06 01 01 00 07 54 65 6c 65 6b 6f 6d';
    const v = response(nas.messages.getServingSystem.response, `${SUCCESS} ${ss} 1c 02 00 34 12 1d 04 00 01 02 03 04 24 02 00 cd ab`);
    expect(v).toEqual({
      servingSystem: { registrationState: 1, csAttachState: 1, psAttachState: 1, selectedNetwork: 2, radioInterfaces: [8] },
      currentPlmn: { mcc: 262, mnc: 1, description: 'Telekom' },
      lac3gpp: 0x1234,
      cid3gpp: 0x04030201,
      lteTac: 0xabcd,
    });
    expect(NasRegistrationState.show(v.servingSystem.registrationState)).toBe('registered');
    const ind = decodeTlvs(nas.indications.servingSystem.tlvs, hex(`${ss} 1d 02 00 34 12 1e 04 00 01 02 03 04 25 02 00 cd ab`), {
      response: false,
    });
    if (!ind.ok) throw ind.error;
    expect(ind.value.values).toMatchObject({ lac3gpp: 0x1234, cid3gpp: 0x04030201, lteTac: 0xabcd });
  });

  it('NAS Get System Info: LTE service status and system info with a padded MNC', () => {
    const lte = '01 02 01 02 01 00 01 00 01 34 12 01 78 56 34 12 00 00 00 01 32 36 32 30 31 ff 01 cd ab';
    const v = response(nas.messages.getSystemInfo.response, `${SUCCESS} 14 03 00 02 02 01 19 1d 00 ${lte}`);
    expect(v.lteServiceStatus).toEqual({ serviceStatus: 2, trueServiceStatus: 2, preferredDataPath: true });
    expect(v.lteSystemInfo).toMatchObject({ domainValid: true, domain: 2, lac: 0x1234, cid: 0x12345678, mcc: '262', mnc: '01', tacValid: true, tac: 0xabcd });
    const again = encodeTlvs(nas.messages.getSystemInfo.response, v);
    expect(toHex(again)).toContain(lte);
  });

  it('DMS Get Operating Mode and the Event Report indication', () => {
    const v = response(dms.messages.getOperatingMode.response, `${SUCCESS} 01 01 00 03 10 02 00 01 00`);
    expect(v).toEqual({ mode: 3, offlineReason: 1 });
    expect(DmsOperatingMode.show(v.mode)).toBe('offline');
    expect(dms.messages.getOperatingMode.response.offlineReason.codec.show(1)).toEqual(['host-image-misconfiguration']);
    const ind = decodeTlvs(dms.indications.eventReport.tlvs, hex('14 01 00 01'), { response: false });
    expect(ind.ok && DmsOperatingMode.show(ind.value.values.operatingMode!)).toBe('low-power');
  });

  it('UIM Get Card Status: cards, applications and their PIN states', () => {
    const app = '02 07 02 00 00 00 03 a0 00 87 01 01 03 05 00 00 00';
    const cardHex = `01 02 03 0a 00 01 ${app}`;
    const v = response(uim.messages.getCardStatus.response, `${SUCCESS} 10 20 00 00 00 ff ff ff ff ff ff 01 ${cardHex}`);
    expect(v.cardStatus).toEqual({
      indexGwPrimary: 0,
      index1xPrimary: 0xffff,
      indexGwSecondary: 0xffff,
      index1xSecondary: 0xffff,
      cards: [
        {
          cardState: 1,
          upinState: 2,
          upinRetries: 3,
          upukRetries: 10,
          errorCode: 0,
          applications: [
            {
              type: 2,
              state: 7,
              personalizationState: 2,
              personalizationFeature: 0,
              personalizationRetries: 0,
              personalizationUnblockRetries: 0,
              applicationIdentifierValue: [0xa0, 0x00, 0x87],
              upinReplacesPin1: true,
              pin1State: 1,
              pin1Retries: 3,
              puk1Retries: 5,
              pin2State: 0,
              pin2Retries: 0,
              puk2Retries: 0,
            },
          ],
        },
      ],
    });
    const application = v.cardStatus!.cards[0]!.applications[0]!;
    expect(UimCardApplicationType.show(application.type)).toBe('usim');
    expect(UimPinState.show(application.pin1State)).toBe('enabled-not-verified');
    const ind = decodeTlvs(uim.indications.cardStatus.tlvs, encodeTlvs(uim.indications.cardStatus.tlvs, v), { response: false });
    expect(ind.ok && ind.value.values).toEqual(v);
  });

  it('WDA Get Data Format reads the uplink limits from 0x17/0x18', () => {
    const v = response(wda.messages.getDataFormat.response, `${SUCCESS} 11 04 00 02 00 00 00 12 04 00 09 00 00 00 17 04 00 20 00 00 00 18 04 00 00 40 00 00`);
    expect(v).toEqual({
      linkLayerProtocol: 2,
      uplinkDataAggregationProtocol: 9,
      uplinkDataAggregationMaxDatagrams: 32,
      uplinkDataAggregationMaxSize: 16384,
    });
    expect(WdaDataAggregationProtocol.show(9)).toBe('qmapv5');
  });

  it('PDC List Configs: request with the token, configs (type and id) in the indication', () => {
    const m = pdc.messages.listConfigs;
    expect(request(pdc.id, m.id, m.request, { configType: PdcConfigurationType.names.software, token: 7 })).toBe(
      '01 1a 00 00 24 07 00 01 00 24 00 0e 00 10 04 00 07 00 00 00 11 04 00 01 00 00 00',
    );
    const ind = decodeTlvs(pdc.indications.listConfigs.tlvs, hex('10 04 00 07 00 00 00 01 02 00 00 00 11 0f 00 02 01 00 00 00 03 aa bb cc 01 00 00 00 01 dd'), { response: false });
    expect(ind.ok && ind.value.values).toEqual({
      token: 7,
      indicationResult: 0,
      configs: [
        { configType: 1, id: [0xaa, 0xbb, 0xcc] },
        { configType: 1, id: [0xdd] },
      ],
    });
  });

  it('PDC Get Config Info indication: size, u8-prefixed description, version', () => {
    const block = '01 02 00 00 00 10 04 00 03 00 00 00 11 04 00 00 10 00 00 12 04 00 03 52 4f 57 13 04 00 20 08 01 05';
    const defs = pdc.indications.getConfigInfo.tlvs;
    const ind = decodeTlvs(defs, hex(block), { response: false });
    const want = { token: 3, indicationResult: 0, totalSize: 4096, description: 'ROW', version: 0x05010820 };
    expect(ind.ok && ind.value.values).toEqual(want);
    expect(toHex(encodeTlvs(defs, want))).toBe(block);
  });

  it('PDC Load Config: a chunk (u8-counted id, u16-counted bytes) and the token; the indication with what is left', () => {
    const m = pdc.messages.loadConfig;
    const chunk = { configType: PdcConfigurationType.names.software, id: [1, 2], totalSize: 2, chunk: [0xaa, 0xbb] };
    expect(request(pdc.id, m.id, m.request, { configChunk: chunk, token: 0 })).toBe(
      '01 25 00 00 24 07 00 01 00 26 00 19 00 01 0f 00 01 00 00 00 02 01 02 02 00 00 00 02 00 aa bb 10 04 00 00 00 00 00',
    );
    const ind = decodeTlvs(pdc.indications.loadConfig.tlvs, hex('10 04 00 05 00 00 00 01 02 00 00 00 11 04 00 00 04 00 00 12 04 00 b8 07 00 00'), { response: false });
    expect(ind.ok && ind.value.values).toEqual({ token: 5, indicationResult: 0, received: 1024, remainingSize: 1976 });
  });
});

describe('registry', () => {
  it('finds services, messages and indications by id, keeping shared ids apart', () => {
    expect(findService(0x01)).toBe(wds);
    expect(findService(0x00)?.name).toBe('ctl');
    expect(findService(0x7f)).toBeUndefined();
    expect(findMessage(0x01, 0x22)?.name).toBe('getPacketServiceStatus');
    expect(findIndication(0x01, 0x22)?.name).toBe('packetServiceStatus');
    expect(findMessage(0x03, 0x24)).toBe(nas.messages.getServingSystem);
    expect(findIndication(0x03, 0x24)).toBe(nas.indications.servingSystem);
    expect(findIndication(0x0b, 0x32)?.service).toEqual({ name: 'uim', id: 0x0b });
    expect(findMessage(0x1a, 0x21)?.name).toBe('getDataFormat');
    expect(findMessage(0x24, 0x28)).toBe(pdc.messages.getConfigInfo);
    expect(findIndication(0x24, 0x2b)).toBe(pdc.indications.deactivateConfig);
    expect(findMessage(0x02, 0x9999)).toBeUndefined();
  });

  it('has no duplicate ids: services, messages, indications, TLVs', () => {
    const unique = (ids: number[]): void => expect(new Set(ids).size).toBe(ids.length);
    unique(services.map((s) => s.id));
    for (const s of services) {
      unique(Object.values(s.messages).map((m) => m.id));
      unique(Object.values(s.indications).map((i) => i.id));
      for (const m of Object.values(s.messages)) {
        unique(Object.values(m.request).map((t) => t.id));
        unique(Object.values(m.response).map((t) => t.id));
        expect(Object.values(m.response).map((t) => t.id)).not.toContain(0x02);
      }
      for (const i of Object.values(s.indications)) unique(Object.values(i.tlvs).map((t) => t.id));
    }
  });

  it('gives precise request and response types', () => {
    type Start = RequestOf<typeof wds.messages.startNetwork>;
    expectTypeOf<Start['apn']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ResponseOf<typeof wds.messages.startNetwork>['packetDataHandle']>().toEqualTypeOf<number>();
    expectTypeOf<ResponseOf<typeof wds.messages.startNetwork>['verboseCallEndReason']>().toEqualTypeOf<
      { readonly type: number; readonly reason: number } | undefined
    >();
    expectTypeOf<ResponseOf<typeof uim.messages.getCardStatus>>().not.toBeAny();
    expectTypeOf<RequestOf<typeof wda.messages.setDataFormat>['endpointInfo']>().toEqualTypeOf<
      { readonly endpointType: number; readonly interfaceNumber: number } | undefined
    >();
  });
});
