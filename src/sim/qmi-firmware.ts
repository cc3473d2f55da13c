/**
 * The firmware behind the QMI services: every declared request answered from the firmware model's
 * state, and the indications a real modem sends when that state changes.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { QMI_CID_BROADCAST } from '../qmi/qmux.js';
import { bandWords, legacyBandMask } from '../qmi/bands.js';
import { dms, DmsOperatingMode, DmsRadioInterface } from '../qmi/services/dms.js';
import { nas, NasCallBarringStatus, NasCellBroadcastCapability, NasLteCellAccessStatus, NasLteRegistrationDomain, NasLteVoiceDomain, NasNetworkDescriptionEncoding, NasNetworkSelectionRegistrationRestriction, NasRadioTechnologyPreference, NasSimRejectState } from '../qmi/services/nas.js';
import { uim } from '../qmi/services/uim.js';
import { wda, WdaDataAggregationProtocol, WdaLinkLayerProtocol } from '../qmi/services/wda.js';
import { SioPort, wds, WdsCallEndReason, WdsIpFamily, WdsPdpType, WdsVerboseCallEndReasonType } from '../qmi/services/wds.js';
import type { IndicationDef } from '../qmi/schema.js';
import type { Bands, CallEndReason, DataFormat, FirmwareConfig, IpFamily, ModemFirmware, OperatingMode, Session } from './firmware.js';
import { FirmwareError } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import { serveQmiNasInfo } from './qmi-nas-info.js';
import { serveQmiNasRadio } from './qmi-nas-radio.js';
import { PIN_STATE, serveQmiUim } from './qmi-uim.js';
import type { CodeLock } from './sim-card.js';
import { serveQmiWms } from './qmi-wms.js';
import { serveQmiDmsDevice } from './qmi-dms-device.js';
import { serveQmiDmsNv } from './qmi-dms-nv.js';
import { imageStore, serveQmiDmsImages } from './qmi-dms-images.js';
import { serveQmiWdsCallInfo } from './qmi-wds-call-info.js';
import { serveQmiWdsProfiles } from './qmi-wds-profiles.js';
import { supportedMessages } from './qmi-supported.js';
import { wms } from '../qmi/services/wms.js';
import { pdc } from '../qmi/services/pdc.js';
import { serveQmiPdc } from './qmi-pdc.js';

const SERVICE_VERSIONS = new Map<number, [number, number]>([
  [0x00, [1, 5]],
  [dms.id, [1, 14]],
  [nas.id, [1, 25]],
  [wds.id, [1, 67]],
  [uim.id, [1, 46]],
  [wda.id, [1, 16]],
  [wms.id, [1, 10]],
  [pdc.id, [1, 0]],
]);

export const qmiServiceVersions = (): Map<number, [number, number]> => new Map(SERVICE_VERSIONS);

/** UMTS Ec/Io as QMI carries it (units of -0.5 dB): the model's RSRQ moved into Ec/Io's usual range (0 to -24 dB). */
const umtsEcio = (s: { rsrq: number }): number => Math.round(-2 * Math.max(-24, Math.min(0, s.rsrq + 4)));

const protocolError = (code: number, values: Record<string, unknown> = {}): QmiProtocolErrorResponse =>
  new QmiProtocolErrorResponse(code, 'simulated', values);

const modeValues: Record<OperatingMode, number> = { online: 0, 'low-power': 1, offline: 3, reset: 4 };
const modeFromValue = (v: number): OperatingMode | undefined => (Object.entries(modeValues).find(([, n]) => n === v)?.[0] as OperatingMode | undefined);

/** What a network and modem give for each refusal: 3GPP ESM causes (TS 24.301) or CM reasons, as QMI verbose call-end reasons. */
const REFUSALS: Record<CallEndReason, { generic: number; type: number; reason: number }> = {
  'unknown-apn': { generic: WdsCallEndReason.names['generic-unspecified'], type: WdsVerboseCallEndReasonType.names['3gpp'], reason: 27 },
  'apn-in-use': { generic: WdsCallEndReason.names['generic-unspecified'], type: WdsVerboseCallEndReasonType.names['3gpp'], reason: 55 },
  'ip-family-not-allowed': { generic: WdsCallEndReason.names['generic-unspecified'], type: WdsVerboseCallEndReasonType.names['3gpp'], reason: 50 },
  'too-many-sessions': { generic: WdsCallEndReason.names['generic-unspecified'], type: WdsVerboseCallEndReasonType.names['3gpp'], reason: 26 },
  'not-registered': { generic: WdsCallEndReason.names['generic-no-service'], type: WdsVerboseCallEndReasonType.names.cm, reason: 2001 },
  'radio-off': { generic: WdsCallEndReason.names['generic-no-service'], type: WdsVerboseCallEndReasonType.names.cm, reason: 2500 },
};

const aggregationValue = (a: DataFormat['ulAggregation']): number =>
  a === 'none' ? 0 : WdaDataAggregationProtocol.names[a];
const aggregationFrom = (v: number | undefined): DataFormat['ulAggregation'] | undefined => {
  if (v === undefined) return undefined;
  if (v === 0) return 'none';
  const name = (Object.entries(WdaDataAggregationProtocol.names).find(([, n]) => n === v)?.[0]);
  return name === 'qmap' || name === 'qmapv4' || name === 'qmapv5' ? name : undefined;
};

const QMAP_ORDER = ['qmap', 'qmapv4', 'qmapv5'] as const;
/** A modem sets the newest QMAP it has, at most what was asked. */
function clampQmap(want: DataFormat['ulAggregation'], max: FirmwareConfig['maxQmap']): DataFormat['ulAggregation'] {
  if (want === 'none' || !max) return want;
  return QMAP_ORDER.indexOf(want) > QMAP_ORDER.indexOf(max) ? max : want;
}

/** The radio's GSM and UTRA bands as DMS and NAS carry them. */
const legacyBands = (b: Bands): bigint => legacyBandMask(b.gsm, b.utra);

/** A PLMN name in NAS's 7-bit ASCII encoding (anything else shows as '?'). */
const ascii7 = (s: string): number[] => [...s].map((c) => (c.charCodeAt(0) < 0x80 ? c.charCodeAt(0) : 0x3f));

interface WdsClientState {
  family: IpFamily;
  muxId?: number;
  /** The SIO data port the client bound to (Bind Data Port). */
  dataPort?: number;
  handle?: number;
}

export function serveQmiFirmware(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const clients = new Map<number, WdsClientState>();
  const wdsClient = (cid: number): WdsClientState => {
    let c = clients.get(cid);
    if (!c) clients.set(cid, (c = { family: 'ipv4' }));
    return c;
  };
  const signalInfoSubscribers = new Set<number>();
  /** NAS clients that asked for System Info indications (ModemManager follows registration by them). */
  const systemInfoSubscribers = new Set<number>();

  // ---- DMS
  const d = dms.messages;
  ep.handle(d.getIds, () => ({ imei: fw.identity.imei, imeiSoftwareVersion: fw.identity.imeiSv }));
  ep.handle(d.getManufacturer, () => ({ manufacturer: fw.identity.manufacturer }));
  ep.handle(d.getModel, () => ({ model: fw.identity.model }));
  ep.handle(d.getRevision, () => ({ revision: fw.identity.revision }));
  ep.handle(d.getHardwareRevision, () => ({ revision: fw.identity.hardwareRevision }));
  ep.handle(d.getMsisdn, () => {
    if (fw.simState !== 'ready') throw protocolError(QmiProtocolError.UimUninitialized);
    return { msisdn: fw.identity.msisdn };
  });
  ep.handle(d.getCapabilities, () => ({
    // The radios the modem has: 2G/3G/4G, and 5G on a 5G modem.
    info: { maxTxChannelRate: 50_000_000, maxRxChannelRate: 150_000_000, dataServiceCapability: 3, simCapability: 2, radioInterfaces: (['gsm', 'umts', 'lte', '5gnr'] as const).filter((r) => fw.radio.capabilities.allowed.includes(r)).map((r) => DmsRadioInterface.names[r]) },
  }));
  ep.handle(d.getOperatingMode, () => ({ mode: modeValues[fw.operatingMode], hardwareRestrictedMode: false }));
  ep.handle(d.setOperatingMode, (v) => {
    const mode = modeFromValue(v.mode);
    if (!mode) throw protocolError(QmiProtocolError.InvalidArgument);
    if (mode === 'reset') {
      // The answer goes out first; then the modem reboots (every client id gone) and comes back online.
      setImmediate(() => {
        fw.reset();
        fw.setOperatingMode('online');
      });
      return {};
    }
    fw.setOperatingMode(mode);
    return {};
  });
  // Factory settings: every technology and band the radio has, the default preferred one, automatic selection.
  ep.handle(d.restoreFactoryDefaults, (v) => {
    if (v.serviceProgrammingCode !== (fw.config.spc ?? '000000')) throw protocolError(QmiProtocolError.AuthenticationFailed);
    const caps = fw.radio.capabilities;
    fw.setRadioPreferences({ allowed: caps.allowed, bands: caps.bands, preferred: fw.config.rat ?? 'lte' });
    try {
      fw.register({ mode: 'automatic' });
    } catch {
      // Nothing in range: the modem keeps searching.
    }
    return {};
  });
  ep.handle(d.setEventReport, () => ({}));
  serveQmiDmsDevice(ep, fw);
  serveQmiDmsNv(ep, fw);
  // DMS and PDC show one image store: PDC's software carrier configurations are its PRI images.
  const images = imageStore(fw);
  serveQmiDmsImages(ep, images);
  serveQmiPdc(ep, fw, images);
  ep.handle(d.getBandCapabilities, () => ({
    bandCapability: legacyBands(fw.bands),
    lteBandCapability: bandWords(fw.bands.eutra, 1)[0]!,
    extendedLteBandCapability: fw.bands.eutra,
    ...(fw.radio.capabilities.bands.nr.length > 0 ? { nr5gBandCapability: fw.radio.capabilities.bands.nr } : {}),
  }));
  ep.handle(d.uimGetPinStatus, () => {
    if (fw.simState === 'absent') throw protocolError(QmiProtocolError.UimUninitialized);
    const card = fw.card!;
    const status = (l: CodeLock) => ({ status: PIN_STATE[l.state], verifyRetriesLeft: l.retries, unblockRetriesLeft: l.unblockRetries });
    return { pin1Status: status(card.pin1), pin2Status: status(card.pin2) };
  });

  // ---- NAS
  const n = nas.messages;
  const servingSystem = () => {
    const reg = fw.registration;
    const registered = fw.registered;
    return {
      servingSystem: {
        registrationState: registered ? 1 : reg === 'searching' ? 2 : reg === 'denied' ? 3 : 0,
        csAttachState: registered ? 1 : 2,
        psAttachState: fw.packetAttached ? 1 : 2,
        selectedNetwork: 2,
        radioInterfaces: registered ? [fw.rat === '5gnr' ? 12 : fw.rat === 'umts' ? 5 : fw.rat === 'gsm' ? 4 : 8] : [],
      },
      ...(registered
        ? {
            roamingIndicator: fw.roaming ? 0 : 1,
            dataServiceCapability: [11],
            currentPlmn: { mcc: Number(fw.operator.mcc), mnc: Number(fw.operator.mnc), description: fw.operator.name },
            lac3gpp: 0x1234,
            cid3gpp: 0x01a2b3c,
            lteTac: 0x5678,
            mncPcsDigitIncludeStatus: { mcc: Number(fw.operator.mcc), mnc: Number(fw.operator.mnc), includesPcsDigit: fw.operator.mnc.length === 3 },
          }
        : {}),
    };
  };
  ep.handle(n.getServingSystem, servingSystem);
  serveQmiNasRadio(ep, fw);
  serveQmiNasInfo(ep, fw);
  // A client's NAS reset drops its indication registrations.
  ep.handle(n.reset, (_v, ctx) => {
    signalInfoSubscribers.delete(ctx.clientId);
    systemInfoSubscribers.delete(ctx.clientId);
    return {};
  });
  ep.handle(n.getTechnologyPreference, () => {
    const t = NasRadioTechnologyPreference.names;
    return { active: { preference: t['3gpp'] | t.lte, duration: 0 } };
  });
  ep.handle(n.getHomeNetwork, () => {
    if (fw.simState !== 'ready') throw protocolError(QmiProtocolError.NotProvisioned);
    return { homeNetwork: { mcc: Number(fw.operator.mcc), mnc: Number(fw.operator.mnc), description: fw.operator.name } };
  });
  // Names for the networks the modem knows (those of its radio network); others are unknown to it.
  ep.handle(n.getPlmnName, (v) => {
    const op = fw.radio.operators.find((o) => Number(o.mcc) === v.plmn.mcc && Number(o.mnc) === v.plmn.mnc);
    if (!op) throw protocolError(QmiProtocolError.NotProvisioned);
    const name = ascii7(op.name);
    const enc = NasNetworkDescriptionEncoding.names.ascii7;
    return {
      eonsPlmnName3gpp: {
        serviceProviderNameEncoding: enc, serviceProviderName: name,
        shortNameEncoding: enc, shortNameCountryInitials: 0, shortNameSpareBits: 0, shortName: name,
        longNameEncoding: enc, longNameCountryInitials: 0, longNameSpareBits: 0, longName: name,
      },
    };
  });
  ep.handle(n.getSignalStrength, () => {
    if (!fw.registered) throw protocolError(QmiProtocolError.NoNetworkFound);
    const s = fw.signal;
    return {
      signalStrength: { strength: s.rssi, radioInterface: 8 },
      rssiList: [{ value: -s.rssi, radioInterface: 8 }],
      rsrq: { rsrq: s.rsrq, radioInterface: 8 },
      lteSnr: Math.round(s.snr * 10),
      lteRsrp: s.rsrp,
    };
  });
  /** The serving technology's measurements only, as firmware reports them (UMTS Ec/Io in -0.5 dB steps, from the model's quality). */
  const signalInfo = () => {
    const s = fw.signal;
    if (fw.rat === 'gsm') return { gsm: s.rssi };
    if (fw.rat === 'umts') return { wcdma: { rssi: s.rssi, ecio: umtsEcio(s) } };
    const lte = { rssi: s.rssi, rsrq: s.rsrq, rsrp: s.rsrp, snr: Math.round(s.snr * 10) };
    return fw.rat === '5gnr' ? { lte, nr5g: { rsrp: s.rsrp + 3, snr: Math.round(s.snr * 10) } } : { lte };
  };
  ep.handle(n.getSignalInfo, () => {
    if (!fw.registered) throw protocolError(QmiProtocolError.NoNetworkFound);
    return signalInfo();
  });
  ep.handle(n.configSignalInfo, () => ({}));
  ep.handle(n.configSignalInfoV2, () => ({}));
  ep.handle(n.registerIndications, (v, ctx) => {
    if (v.signalInfo === true) signalInfoSubscribers.add(ctx.clientId);
    if (v.signalInfo === false) signalInfoSubscribers.delete(ctx.clientId);
    if (v.systemInfo === true) systemInfoSubscribers.add(ctx.clientId);
    if (v.systemInfo === false) systemInfoSubscribers.delete(ctx.clientId);
    return {};
  });
  /** Get System Info and its indication: the TLVs of the technology the modem is on, ids from the serving cell. */
  const technologyInfo = () => {
    const cell = fw.radio.registration?.cell;
    const common = {
      // CS only while detached from the packet domain.
      domainValid: true, domain: fw.packetAttached ? 3 : 1, serviceCapabilityValid: true, serviceCapability: 3,
      roamingStatusValid: true, roamingStatus: fw.roaming ? 1 : 0, forbiddenValid: true, forbidden: false,
      lacValid: false, lac: 0, cidValid: true, cid: cell?.cellId ?? 0, registrationRejectInfoValid: false,
      registrationRejectDomain: 0, registrationRejectCause: 0, networkIdValid: true, mcc: fw.operator.mcc, mnc: fw.operator.mnc,
    };
    const lte = { ...common, tacValid: true, tac: cell?.areaCode ?? 0 };
    const cause = fw.registration === 'denied' ? fw.radio.rejectCause : undefined;
    const sel = fw.radio.selection;
    if (cause !== undefined && sel.mode === 'manual') {
      // Limited service on the network that refused (forbidden), with the network's cause; ModemManager
      // 1.20 reads "denied" only with a service domain alongside the forbidden flag.
      return {
        lteServiceStatus: { serviceStatus: 1, trueServiceStatus: 1, preferredDataPath: false },
        lteSystemInfo: {
          ...lte, serviceCapabilityValid: false, cidValid: false, tacValid: false, forbidden: true,
          registrationRejectInfoValid: true, registrationRejectDomain: 3, registrationRejectCause: cause, mcc: sel.mcc, mnc: sel.mnc,
        },
      };
    }
    // A 3GPP-only modem still reports the 3GPP2 and TD-SCDMA services, as none.
    const none = { cdmaServiceStatus: { serviceStatus: 0, preferredDataPath: false }, hdrServiceStatus: { serviceStatus: 0, preferredDataPath: false }, tdscdmaServiceStatus: { serviceStatus: 0, trueServiceStatus: 0, preferredDataPath: false } };
    if (!fw.registered) return { ...none, lteServiceStatus: { serviceStatus: 0, trueServiceStatus: 0, preferredDataPath: false } };
    const status = { serviceStatus: 2, trueServiceStatus: 2, preferredDataPath: false };
    const lac = { lacValid: true, lac: cell?.areaCode ?? 0 };
    // No geo system index (0xFFFF), no cell broadcast, no barring, ciphered in both domains.
    const gsmLike = { geoSystemIndex: 0xffff, cellBroadcastSupport: NasCellBroadcastCapability.names.off };
    const barring = { csStatus: NasCallBarringStatus.names['normal-only'], psStatus: NasCallBarringStatus.names['normal-only'] };
    const lteExtras = {
      additionalLteSystemInfo: { geoSystemIndex: 1 }, imsVoiceSupport: false, lteEmbmsCoverageInfoSupport: false, lteVoiceDomain: NasLteVoiceDomain.names['3gpp'],
      lteCellAccessStatus: NasLteCellAccessStatus.names['all-calls'], networkSelectionRegistrationRestriction: NasNetworkSelectionRegistrationRestriction.names.unrestricted,
      lteRegistrationDomain: NasLteRegistrationDomain.names[fw.packetAttached ? 'cs-ps' : 'cs-only'],
    };
    switch (fw.rat) {
      case '5gnr': {
        // NR TACs are 24 bits: the NR5G system info's 16-bit field holds this one, the TAC TLV any.
        const tac = cell?.areaCode ?? 0;
        return {
          ...none, lteServiceStatus: status, lteSystemInfo: lte, ...lteExtras, nr5gServiceStatus: status, nr5gSystemInfo: lte, eutraWithNr5gAvailability: true, dcnrRestriction: false,
          nr5gTrackingAreaCode: [(tac >> 16) & 0xff, (tac >> 8) & 0xff, tac & 0xff],
        };
      }
      case 'umts':
        return {
          ...none,
          wcdmaServiceStatus: status,
          wcdmaSystemInfo: { ...common, ...lac, hsCallStatusValid: false, hsCallStatus: 0, hsServiceValid: true, hsService: 7, primaryScramblingCodeValid: true, primaryScramblingCode: cell?.pci ?? 0 },
          additionalWcdmaSystemInfo: gsmLike, wcdmaCallBarringStatus: barring, wcdmaCipherDomain: 3, wcdmaRoutingAreaCode: 1,
        };
      case 'gsm':
        return {
          ...none,
          gsmServiceStatus: status, gsmSystemInfo: { ...common, ...lac, egprsSupportValid: true, egprsSupport: true, dtmSupportValid: true, dtmSupport: false },
          additionalGsmSystemInfo: gsmLike, gsmCallBarringStatus: barring, gsmCipherDomain: 3, gsmRoutingAreaCode: 1,
        };
      default:
        return { ...none, lteServiceStatus: status, lteSystemInfo: lte, lteVoiceSupport: true, ...lteExtras };
    }
  };
  // A card that is there is available (a PIN lock does not change that); the network never invalidates it here.
  const systemInfo = () => ({ ...technologyInfo(), simRejectInfo: fw.simState === 'absent' ? NasSimRejectState.names.unavailable : NasSimRejectState.names.available });
  ep.handle(n.getSystemInfo, systemInfo);

  // ---- WDS
  const w = wds.messages;
  const refuse = (e: FirmwareError): never => {
    const r = REFUSALS[e.reason];
    throw protocolError(QmiProtocolError.CallFailed, { callEndReason: r.generic, verboseCallEndReason: { type: r.type, reason: r.reason } });
  };
  ep.handle(w.setIpFamily, (v, ctx) => {
    const family = v.preference === WdsIpFamily.names.ipv6 ? 'ipv6' : v.preference === WdsIpFamily.names.ipv4 ? 'ipv4' : undefined;
    if (!family) throw protocolError(QmiProtocolError.InvalidArgument);
    wdsClient(ctx.clientId).family = family;
    return {};
  });
  // Back to the service's defaults for this client; its call stays up.
  ep.handle(w.reset, (_v, ctx) => {
    wdsClient(ctx.clientId).family = 'ipv4';
    return {};
  });
  ep.handle(w.bindMuxDataPort, (v, ctx) => {
    if (v.muxId !== undefined && (v.muxId < 1 || v.muxId > 254)) throw protocolError(QmiProtocolError.InvalidArgument);
    wdsClient(ctx.clientId).muxId = v.muxId;
    return {};
  });
  ep.handle(w.bindDataPort, (v, ctx) => {
    if (v.dataPort === SioPort.names.none) throw protocolError(QmiProtocolError.InvalidArgument);
    wdsClient(ctx.clientId).dataPort = v.dataPort;
    return {};
  });
  ep.handle(w.getSupportedMessages, () => ({ list: supportedMessages(wds) }));
  ep.handle(w.startNetwork, (v, ctx) => {
    const c = wdsClient(ctx.clientId);
    if (c.handle !== undefined && fw.sessions.has(c.handle)) throw protocolError(QmiProtocolError.NoEffect);
    const family: IpFamily = v.ipFamilyPreference === 6 ? 'ipv6' : v.ipFamilyPreference === 4 ? 'ipv4' : c.family;
    // Without an APN the call uses a profile: the one asked for, else the default.
    const profile = v.apn === undefined ? fw.profiles.find((p) => p.index === (v.profileIndex3gpp ?? fw.dataSettings.defaultProfile)) : undefined;
    const apn = v.apn ?? profile?.apn ?? '';
    let session: Session;
    try {
      session = fw.startSession({ apn, family, linkId: c.muxId ?? 0, ...(profile ? { profile: profile.index } : {}) });
    } catch (e) {
      if (e instanceof FirmwareError) refuse(e);
      throw e;
    }
    c.handle = session.handle;
    return { packetDataHandle: session.handle };
  });
  ep.handle(w.stopNetwork, (v, ctx) => {
    const c = wdsClient(ctx.clientId);
    // qmicli sends 0xFFFFFFFF with disable-autoconnect: there is no call to stop then.
    if (v.packetDataHandle === 0xffffffff && v.disableAutoconnect !== undefined) return {};
    if (c.handle !== v.packetDataHandle || !fw.sessions.has(v.packetDataHandle)) throw protocolError(QmiProtocolError.InvalidHandle);
    fw.stopSession(v.packetDataHandle, 'host');
    c.handle = undefined;
    return {};
  });
  const sessionOf = (cid: number): Session | undefined => {
    const h = clients.get(cid)?.handle;
    return h === undefined ? undefined : fw.sessions.get(h);
  };
  ep.handle(w.getPacketServiceStatus, (_v, ctx) => ({ connectionStatus: sessionOf(ctx.clientId) ? 2 : 1 }));
  ep.handle(w.getCurrentSettings, (_v, ctx) => {
    const s = sessionOf(ctx.clientId);
    if (!s) throw protocolError(QmiProtocolError.OutOfCall);
    return {
      profileName: s.apn,
      pdpType: s.family === 'ipv4' ? WdsPdpType.names.ipv4 : s.family === 'ipv6' ? WdsPdpType.names.ipv6 : WdsPdpType.names['ipv4-or-ipv6'],
      apnName: s.apn,
      ...(s.ipv4
        ? {
            primaryIpv4DnsAddress: s.ipv4.dns[0],
            secondaryIpv4DnsAddress: s.ipv4.dns[1],
            ipv4Address: s.ipv4.address,
            ipv4GatewayAddress: s.ipv4.gateway,
            ipv4GatewaySubnetMask: prefixToMask(s.ipv4.prefix),
          }
        : {}),
      ...(s.ipv6
        ? {
            ipv6Address: { address: s.ipv6.address, prefixLength: s.ipv6.prefix },
            ipv6GatewayAddress: { address: s.ipv6.gateway, prefixLength: s.ipv6.prefix },
            ipv6PrimaryDnsAddress: s.ipv6.dns[0],
            ipv6SecondaryDnsAddress: s.ipv6.dns[1],
          }
        : {}),
      mtu: s.mtu,
      domainNameList: ['sim.wwankit.test'],
      ipFamily: s.ipv4 ? 4 : 6,
    };
  });
  ep.handle(w.setEventReport, () => ({}));
  ep.handle(w.indicationRegister, () => ({}));
  serveQmiWdsCallInfo(ep, fw, sessionOf);
  serveQmiWdsProfiles(ep, fw);

  // ---- WDA
  const dataFormat = () => {
    const f = fw.dataFormat;
    return {
      qosFormat: false,
      linkLayerProtocol: WdaLinkLayerProtocol.names[f.linkLayer],
      uplinkDataAggregationProtocol: aggregationValue(f.ulAggregation),
      downlinkDataAggregationProtocol: aggregationValue(f.dlAggregation),
      ndpSignature: 0,
      downlinkDataAggregationMaxDatagrams: f.dlMaxDatagrams,
      downlinkDataAggregationMaxSize: f.dlMaxSize,
      uplinkDataAggregationMaxDatagrams: f.ulMaxDatagrams,
      uplinkDataAggregationMaxSize: f.ulMaxSize,
    };
  };
  ep.handle(wda.messages.setDataFormat, (v) => {
    const link = v.linkLayerProtocol === 1 ? '802-3' : v.linkLayerProtocol === 2 ? 'raw-ip' : undefined;
    const ul = aggregationFrom(v.uplinkDataAggregationProtocol);
    const dl = aggregationFrom(v.downlinkDataAggregationProtocol);
    if ((v.linkLayerProtocol !== undefined && !link) || (v.uplinkDataAggregationProtocol !== undefined && !ul) || (v.downlinkDataAggregationProtocol !== undefined && !dl)) {
      throw protocolError(QmiProtocolError.InvalidDataFormat);
    }
    const change: Partial<DataFormat> = {};
    if (link) change.linkLayer = link;
    if (ul) change.ulAggregation = clampQmap(ul, fw.config.maxQmap);
    if (dl) change.dlAggregation = clampQmap(dl, fw.config.maxQmap);
    // The modem caps what the host asks for at its own limits.
    if (v.downlinkDataAggregationMaxDatagrams !== undefined) change.dlMaxDatagrams = Math.min(v.downlinkDataAggregationMaxDatagrams, 64);
    if (v.downlinkDataAggregationMaxSize !== undefined) change.dlMaxSize = Math.min(v.downlinkDataAggregationMaxSize, 32768);
    fw.setDataFormat(change);
    return dataFormat();
  });
  ep.handle(wda.messages.getDataFormat, dataFormat);
  ep.handle(wda.messages.getSupportedMessages, () => ({ list: [...supportedMessages(wda)] }));

  serveQmiUim(ep, fw);
  serveQmiWms(ep, fw);

  // A call is tied to the client that started it: releasing the client ends the call.
  ep.onRelease((service, cid) => {
    if (service === nas.id) {
      signalInfoSubscribers.delete(cid);
      systemInfoSubscribers.delete(cid);
    }
    if (service !== wds.id) return;
    const handle = clients.get(cid)?.handle;
    clients.delete(cid);
    if (handle !== undefined) fw.stopSession(handle, 'host');
  });

  fw.on('reset', () => {
    clients.clear();
    signalInfoSubscribers.clear();
    systemInfoSubscribers.clear();
    ep.resetClients();
  });

  // ---- Indications on state changes
  const broadcast = <I extends IndicationDef<any>>(def: I, values: Parameters<QmiDeviceEndpoint['indicate']>[2] & object): void => {
    if (ep.clientsOf(def.service.id).length > 0) ep.indicate(def, QMI_CID_BROADCAST, values as never);
  };
  fw.on('operatingMode', (mode) => broadcast(dms.indications.eventReport, { operatingMode: DmsOperatingMode.names[mode] }));
  const signalToSubscribers = (): void => {
    if (!fw.registered) return;
    for (const cid of signalInfoSubscribers) if (ep.clientsOf(nas.id).includes(cid)) ep.indicate(nas.indications.signalInfo, cid, signalInfo());
  };
  fw.on('registration', () => {
    broadcast(nas.indications.servingSystem, servingSystem());
    for (const cid of systemInfoSubscribers) if (ep.clientsOf(nas.id).includes(cid)) ep.indicate(nas.indications.systemInfo, cid, systemInfo());
    // Registered anew (another technology, say): the measurements are the new one's.
    signalToSubscribers();
  });
  fw.on('signal', signalToSubscribers);
  const statusTo = (s: Session, up: boolean, cause?: 'host' | 'network' | 'reset'): void => {
    for (const [cid, c] of clients) {
      if (c.handle !== s.handle || !ep.clientsOf(wds.id).includes(cid)) continue;
      if (!up) c.handle = undefined;
      ep.indicate(wds.indications.packetServiceStatus, cid, {
        connectionStatus: { status: up ? 2 : 1, reconfigurationRequired: false },
        ...(up ? {} : { callEndReason: cause === 'host' ? WdsCallEndReason.names['generic-client-end'] : WdsCallEndReason.names['generic-release-normal'] }),
        ipFamily: s.ipv4 ? 4 : 6,
      });
    }
  };
  fw.on('sessionUp', (s) => setImmediate(() => statusTo(s, true)));
  fw.on('sessionDown', (s, cause) => statusTo(s, false, cause));
}

function prefixToMask(prefix: number): string {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 0xff}.${(m >>> 8) & 0xff}.${m & 0xff}`;
}
