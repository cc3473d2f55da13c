/** NAS (service 0x03): registration, serving system, signal, system info. */
import {
  array,
  bool8,
  bytesU16,
  enumOf,
  f32,
  fixedArray,
  fixedString,
  flagsOf,
  i16,
  i32,
  i8,
  indication,
  message,
  optional,
  required,
  service,
  string,
  stringU8,
  struct,
  u16,
  u32,
  u64,
  u8,
} from '../schema.js';
import { LEGACY_BANDS, LEGACY_LTE_BANDS } from '../bands.js';

const radioInterfaceNames = {
  unknown: -1,
  none: 0,
  'cdma-1x': 1,
  'cdma-1xevdo': 2,
  amps: 3,
  gsm: 4,
  umts: 5,
  lte: 8,
  'td-scdma': 9,
  '5gnr': 12,
} as const;
/** Radio interface, signed as most NAS TLVs carry it (-1 unknown). */
export const NasRadioInterface = enumOf(i8, radioInterfaceNames);
const radioInterfaceU8 = enumOf(u8, radioInterfaceNames);

export const NasSignalStrengthRequest = flagsOf(u16, {
  none: 0,
  rssi: 1 << 0,
  ecio: 1 << 1,
  io: 1 << 2,
  sinr: 1 << 3,
  'error-rate': 1 << 4,
  rsrq: 1 << 5,
  'lte-snr': 1 << 6,
  'lte-rsrp': 1 << 7,
});

export const NasEvdoSinrLevel = enumOf(u8, {
  'level-0': 0,
  'level-1': 1,
  'level-2': 2,
  'level-3': 3,
  'level-4': 4,
  'level-5': 5,
  'level-6': 6,
  'level-7': 7,
  'level-8': 8,
});

export const NasRegistrationState = enumOf(u8, {
  'not-registered': 0,
  registered: 1,
  'not-registered-searching': 2,
  'registration-denied': 3,
  unknown: 4,
});

export const NasAttachState = enumOf(u8, { unknown: 0, attached: 1, detached: 2 });

export const NasNetworkType = enumOf(u8, { unknown: 0, '3gpp2': 1, '3gpp': 2 });

export const NasRoamingIndicatorStatus = enumOf(u8, { on: 0, off: 1 });

export const NasDataCapability = enumOf(u8, {
  none: 0,
  gprs: 1,
  edge: 2,
  hsdpa: 3,
  hsupa: 4,
  wcdma: 5,
  cdma: 6,
  'evdo-rev-0': 7,
  'evdo-rev-a': 8,
  gsm: 9,
  'evdo-rev-b': 10,
  lte: 11,
  'hsdpa-plus': 12,
  'dc-hsdpa-plus': 13,
});

export const NasServiceStatus = enumOf(u8, {
  none: 0,
  limited: 1,
  available: 2,
  'limited-regional': 3,
  'power-save': 4,
});

export const NasNetworkServiceDomain = enumOf(u8, { none: 0, cs: 1, ps: 2, 'cs-ps': 3, unknown: 4 });

export const NasRoamingStatus = enumOf(u8, {
  off: 0,
  on: 1,
  blink: 2,
  'out-of-neighborhood': 3,
  'out-of-building': 4,
  'preferred-system': 5,
  'available-system': 6,
  'alliance-partner': 7,
  'premium-partner': 8,
  'full-service': 9,
  'partial-service': 10,
  'banner-on': 11,
  'banner-off': 12,
});

export const NasHdrPersonality = enumOf(u8, { unknown: 0, hrpd: 1, ehrpd: 2 });
export const NasHdrProtocolRevision = enumOf(u8, { none: 0, 'rel-0': 1, 'rel-a': 2, 'rel-b': 3 });
export const NasCellBroadcastCapability = enumOf(u32, { unknown: 0, off: 1, on: 2 });
export const NasLteVoiceDomain = enumOf(u32, { none: 0, ims: 1, '1x': 2, '3gpp': 3 });
export const NasNetworkSelectionRegistrationRestriction = enumOf(u32, { unrestricted: 0, 'camped-only': 1, limited: 2 });
export const NasLteRegistrationDomain = enumOf(u32, { 'not-applicable': 0, 'cs-only': 1, 'ps-only': 2, 'cs-ps': 3, 'limited-service': 4 });
export const NasLteCellAccessStatus = enumOf(u32, { 'normal-only': 0, 'emergency-only': 1, 'no-calls': 2, 'all-calls': 3, unknown: 0xff });

export const NasCallBarringStatus = enumOf(i32, {
  unknown: -1,
  'normal-only': 0,
  'emergency-only': 1,
  'no-calls': 2,
  'all-calls': 3,
});

export const NasWcdmaHsService = enumOf(u8, {
  'hsdpa-hsupa-unsupported': 0,
  'hsdpa-supported': 1,
  'hsupa-supported': 2,
  'hsdpa-hsupa-supported': 3,
  'hsdpa-plus-supported': 4,
  'hsdpa-plus-hsupa-supported': 5,
  'dc-hsdpa-plus-supported': 6,
  'dc-hsdpa-plus-hsupa-supported': 7,
});

export const NasNetworkNameSource = enumOf(u32, {
  unknown: 0,
  'operator-plmn-list-and-plmn-network-name': 1,
  'common-pcn-handset-specification-and-operator-name-string': 2,
  nitz: 3,
  se13: 4,
  'mcc-mnc': 5,
  'service-provider-name': 6,
});

/** 3GPP TS 24.008 / 24.301 reject causes, named as libqmi 1.32 names them. */
export const NasRejectCause = enumOf(u8, {
  'none': 0x00,
  'imsi-unknown-in-hlr': 0x02,
  'illegal-ue': 0x03,
  'imsi-unknown-in-vlr': 0x04,
  'imei-not-accepted': 0x05,
  'illegal-me': 0x06,
  'ps-services-not-allowed': 0x07,
  'ps-and-non-ps-services-not-allowed': 0x08,
  'ue-identity-not-derived-by-network': 0x09,
  'implicitly-detached': 0x0a,
  'plmn-not-allowed': 0x0b,
  'location-area-not-allowed': 0x0c,
  'roaming-in-location-area-not-allowed': 0x0d,
  'ps-services-in-location-area-not-allowed': 0x0e,
  'no-suitable-cells-in-location-area': 0x0f,
  'msc-temporarily-not-reachable': 0x10,
  'network-failure': 0x11,
  'cs-domain-not-available': 0x12,
  'esm-failure': 0x13,
  'mac-failure': 0x14,
  'synch-failure': 0x15,
  'congestion': 0x16,
  'ue-security-capabilities-mismatch': 0x17,
  'security-mode-rejected-unspecified': 0x18,
  'csg-not-authorized': 0x19,
  'non-eps-authentication-unacceptable': 0x1a,
  'sms-provided-by-gprs-in-routing-area': 0x1c,
  'redirection-to-5gcn-required': 0x1f,
  'service-option-not-supported': 0x20,
  'requested-service-option-not-subscribed': 0x21,
  'service-option-temporarily-out-of-order': 0x22,
  'requested-service-option-not-authorized': 0x23,
  'call-cannot-be-identified': 0x26,
  'cs-service-temporarily-not-available': 0x27,
  'no-eps-bearer-context-activated': 0x28,
  'severe-network-failure': 0x2a,
  'retry-upon-entry-into-new-cell-0': 0x30,
  'retry-upon-entry-into-new-cell-1': 0x31,
  'retry-upon-entry-into-new-cell-2': 0x32,
  'retry-upon-entry-into-new-cell-3': 0x33,
  'retry-upon-entry-into-new-cell-4': 0x34,
  'retry-upon-entry-into-new-cell-5': 0x35,
  'retry-upon-entry-into-new-cell-6': 0x36,
  'retry-upon-entry-into-new-cell-7': 0x37,
  'retry-upon-entry-into-new-cell-8': 0x38,
  'retry-upon-entry-into-new-cell-9': 0x39,
  'retry-upon-entry-into-new-cell-10': 0x3a,
  'retry-upon-entry-into-new-cell-11': 0x3b,
  'retry-upon-entry-into-new-cell-12': 0x3c,
  'retry-upon-entry-into-new-cell-13': 0x3d,
  'retry-upon-entry-into-new-cell-14': 0x3e,
  'retry-upon-entry-into-new-cell-15': 0x3f,
  'semantically-incorrect-message': 0x5f,
  'invalid-mandatory-information': 0x60,
  'message-type-non-existent': 0x61,
  'message-type-not-compatible': 0x62,
  'information-element-non-existent': 0x63,
  'conditional-information-element-error': 0x64,
  'message-not-compatible': 0x65,
  'unspecified-protocol-error': 0x6f,
});

// ---------------------------------------------------------------------------------------------
// Shared layouts

const plmn = struct({ mcc: u16, mnc: u16, description: stringU8 });
const mncPcs = struct({ mcc: u16, mnc: u16, includesPcsDigit: bool8 });
const servingSystem = struct({
  registrationState: NasRegistrationState,
  csAttachState: NasAttachState,
  psAttachState: NasAttachState,
  selectedNetwork: NasNetworkType,
  radioInterfaces: array(NasRadioInterface),
});
const detailedServiceStatus = struct({
  status: NasServiceStatus,
  capability: NasNetworkServiceDomain,
  hdrStatus: NasServiceStatus,
  hdrHybrid: bool8,
  forbidden: bool8,
});
const callBarring = struct({ csStatus: NasCallBarringStatus, psStatus: NasCallBarringStatus });
const signalWithRadio = struct({ strength: i8, radioInterface: NasRadioInterface });
const valueWithRadio = struct({ value: u8, radioInterface: NasRadioInterface });

/** Service status as Get System Info reports it for the 3GPP RATs. */
const serviceStatus3gpp = struct({ serviceStatus: NasServiceStatus, trueServiceStatus: NasServiceStatus, preferredDataPath: bool8 });
const serviceStatus3gpp2 = struct({ serviceStatus: NasServiceStatus, preferredDataPath: bool8 });

/** The "valid flag, value" pairs every system-info TLV (3GPP and 3GPP2) starts with. */
const systemInfoService = {
  domainValid: bool8,
  domain: NasNetworkServiceDomain,
  serviceCapabilityValid: bool8,
  serviceCapability: NasNetworkServiceDomain,
  roamingStatusValid: bool8,
  roamingStatus: NasRoamingStatus,
  forbiddenValid: bool8,
  forbidden: bool8,
} as const;

/** The pairs every 3GPP system-info TLV starts with, up to the network id. */
const systemInfoCommon = {
  ...systemInfoService,
  lacValid: bool8,
  lac: u16,
  cidValid: bool8,
  cid: u32,
  registrationRejectInfoValid: bool8,
  registrationRejectDomain: NasNetworkServiceDomain,
  registrationRejectCause: NasRejectCause,
  networkIdValid: bool8,
  mcc: fixedString(3),
  mnc: fixedString(3),
} as const;

const gsmSystemInfo = struct({
  ...systemInfoCommon,
  egprsSupportValid: bool8,
  egprsSupport: bool8,
  dtmSupportValid: bool8,
  dtmSupport: bool8,
});
const wcdmaSystemInfo = struct({
  ...systemInfoCommon,
  hsCallStatusValid: bool8,
  hsCallStatus: NasWcdmaHsService,
  hsServiceValid: bool8,
  hsService: NasWcdmaHsService,
  primaryScramblingCodeValid: bool8,
  primaryScramblingCode: u16,
});
const lteSystemInfo = struct({ ...systemInfoCommon, tacValid: bool8, tac: u16 });
/** NR5G system info has the LTE layout (its 16-bit TAC cannot hold an NR one: the 3-byte TAC TLV can). */
const nr5gSystemInfo = lteSystemInfo;
/** The valid-flag pairs the 3GPP2 system-info TLVs (CDMA 1x, HDR) start with. */
const systemInfoCommon3gpp2 = {
  ...systemInfoService,
  prlMatchValid: bool8,
  prlMatch: bool8,
} as const;
/** Latitude and longitude in units of 0.25 arc seconds (TIA/EIA-95). */
const cdmaSystemInfo = struct({
  ...systemInfoCommon3gpp2,
  pRevValid: bool8,
  pRev: u8,
  baseStationPRevValid: bool8,
  baseStationPRev: u8,
  concurrentServiceSupportValid: bool8,
  concurrentServiceSupport: bool8,
  cdmaSystemIdValid: bool8,
  sid: u16,
  nid: u16,
  baseStationInfoValid: bool8,
  baseStationId: u16,
  baseStationLatitude: i32,
  baseStationLongitude: i32,
  packetZoneValid: bool8,
  packetZone: u16,
  networkIdValid: bool8,
  mcc: fixedString(3),
  mnc: fixedString(3),
});
const hdrSystemInfo = struct({
  ...systemInfoCommon3gpp2,
  personalityValid: bool8,
  personality: NasHdrPersonality,
  protocolRevisionValid: bool8,
  protocolRevision: NasHdrProtocolRevision,
  is856SystemIdValid: bool8,
  is856SystemId: fixedString(16),
});
const tdscdmaSystemInfo = struct({
  ...systemInfoCommon,
  hsCallStatusValid: bool8,
  hsCallStatus: NasWcdmaHsService,
  hsServiceValid: bool8,
  hsService: NasWcdmaHsService,
  cellParameterIdValid: bool8,
  cellParameterId: u16,
  cellBroadcastSupportValid: bool8,
  cellBroadcastSupport: NasCellBroadcastCapability,
  csCallBarringStatusValid: bool8,
  csCallBarringStatus: NasCallBarringStatus,
  psCallBarringStatusValid: bool8,
  psCallBarringStatus: NasCallBarringStatus,
  cipherDomainValid: bool8,
  cipherDomain: NasNetworkServiceDomain,
});
/** A geo system index of 0xFFFF is none. */
const additional3gppInfo = struct({ geoSystemIndex: u16, cellBroadcastSupport: NasCellBroadcastCapability });

/** Get System Info and the System Info indication share these ids for the TLVs declared here. */
const systemInfoTlvs = {
  cdmaServiceStatus: optional(0x10, serviceStatus3gpp2),
  hdrServiceStatus: optional(0x11, serviceStatus3gpp2),
  gsmServiceStatus: optional(0x12, serviceStatus3gpp),
  wcdmaServiceStatus: optional(0x13, serviceStatus3gpp),
  lteServiceStatus: optional(0x14, serviceStatus3gpp),
  gsmSystemInfo: optional(0x17, gsmSystemInfo),
  wcdmaSystemInfo: optional(0x18, wcdmaSystemInfo),
  lteSystemInfo: optional(0x19, lteSystemInfo),
  cdmaSystemInfo: optional(0x15, cdmaSystemInfo),
  hdrSystemInfo: optional(0x16, hdrSystemInfo),
  /** A registration period of 0xFFFF is none. */
  additionalCdmaSystemInfo: optional(0x1a, struct({ geoSystemIndex: u16, registrationPeriod: u16 })),
  additionalHdrSystemInfo: optional(0x1b, struct({ geoSystemIndex: u16 })),
  additionalGsmSystemInfo: optional(0x1c, additional3gppInfo),
  additionalWcdmaSystemInfo: optional(0x1d, additional3gppInfo),
  additionalLteSystemInfo: optional(0x1e, struct({ geoSystemIndex: u16 })),
  gsmCallBarringStatus: optional(0x1f, callBarring),
  wcdmaCallBarringStatus: optional(0x20, callBarring),
  lteVoiceSupport: optional(0x21, bool8),
  gsmCipherDomain: optional(0x22, NasNetworkServiceDomain),
  wcdmaCipherDomain: optional(0x23, NasNetworkServiceDomain),
} as const;

/** Whether the SIM is there and valid for CS and PS services (network rejects can invalidate it); libqmi's names drop the SIM. */
export const NasSimRejectState = enumOf(u32, {
  unavailable: 0,
  available: 1,
  'cs-invalid': 2,
  'ps-invalid': 3,
  'cs-ps-invalid': 4,
});

/** The later TLVs, whose ids differ between Get System Info and its indication; the NR5G TAC's 3 bytes most significant first. */
const laterSystemInfoTlvs = (ids: { tdscdmaStatus: number; tdscdmaInfo: number; embms: number; simReject: number; status: number; info: number; endc: number; dcnr: number; tac: number }) =>
  ({
    tdscdmaServiceStatus: optional(ids.tdscdmaStatus, serviceStatus3gpp),
    tdscdmaSystemInfo: optional(ids.tdscdmaInfo, tdscdmaSystemInfo),
    lteEmbmsCoverageInfoSupport: optional(ids.embms, bool8),
    simRejectInfo: optional(ids.simReject, NasSimRejectState),
    nr5gServiceStatus: optional(ids.status, serviceStatus3gpp),
    nr5gSystemInfo: optional(ids.info, nr5gSystemInfo),
    eutraWithNr5gAvailability: optional(ids.endc, bool8),
    /** Whether dual connectivity with NR is restricted for the UE (EN-DC not allowed). */
    dcnrRestriction: optional(ids.dcnr, bool8),
    nr5gTrackingAreaCode: optional(ids.tac, fixedArray(u8, 3)),
  }) as const;

const signalInfoTlvs = {
  cdma: optional(0x10, struct({ rssi: i8, ecio: i16 })),
  hdr: optional(0x11, struct({ rssi: i8, ecio: i16, sinr: NasEvdoSinrLevel, io: i32 })),
  gsm: optional(0x12, i8),
  wcdma: optional(0x13, struct({ rssi: i8, ecio: i16 })),
  /** RSSI and RSRP in dBm, RSRQ in dB, SNR in tenths of dB. */
  lte: optional(0x14, struct({ rssi: i8, rsrq: i8, rsrp: i16, snr: i16 })),
  tdma: optional(0x15, i8),
  tdmaExtended: optional(0x16, struct({ rssi: i32, rscp: i32, ecio: i32, sinr: i32 })),
  nr5g: optional(0x17, struct({ rsrp: i16, snr: i16 })),
  nr5gRsrq: optional(0x18, i16),
} as const;

export const NasRatModePreference = flagsOf(u16, {
  'cdma-1x': 1 << 0,
  'cdma-1xevdo': 1 << 1,
  gsm: 1 << 2,
  umts: 1 << 3,
  lte: 1 << 4,
  'td-scdma': 1 << 5,
  '5gnr': 1 << 6,
});

export const NasNetworkScanType = flagsOf(u8, { gsm: 1 << 0, umts: 1 << 1, lte: 1 << 2, 'td-scdma': 1 << 3 });

export const NasNetworkScanResult = enumOf(u32, { success: 0, abort: 1, 'radio-link-failure': 2 });

export const NasNetworkStatus = flagsOf(u8, {
  'current-serving': 1 << 0,
  available: 1 << 1,
  home: 1 << 2,
  roaming: 1 << 3,
  forbidden: 1 << 4,
  'not-forbidden': 1 << 5,
  preferred: 1 << 6,
  'not-preferred': 1 << 7,
});

export const NasNetworkSelectionPreference = enumOf(u8, { automatic: 0, manual: 1 });

export const NasChangeDuration = enumOf(u8, { 'power-cycle': 0, permanent: 1 });

export const NasGsmWcdmaAcquisitionOrderPreference = enumOf(u32, { automatic: 0, gsm: 1, wcdma: 2 });

/** Which domains to register in; `ps-attach`/`ps-detach` attach to or detach from the packet domain. */
export const NasServiceDomainPreference = enumOf(u32, { 'cs-only': 0, 'ps-only': 1, 'cs-ps': 2, 'ps-attach': 3, 'ps-detach': 4 });

export const NasRadioTechnologyPreference = flagsOf(u16, {
  auto: 0,
  '3gpp2': 1 << 0,
  '3gpp': 1 << 1,
  'amps-or-gsm': 1 << 2,
  'cdma-or-wcdma': 1 << 3,
  hdr: 1 << 4,
  lte: 1 << 5,
});

export const NasPreferenceDuration = enumOf(u8, {
  permanent: 0,
  'power-cycle': 1,
  'one-call': 2,
  'one-call-or-time': 3,
  'internal-one-call-1': 4,
  'internal-one-call-2': 5,
  'internal-one-call-3': 6,
});

/** The legacy band preference (GSM, WCDMA and CDMA band classes): DMS band capability's bits. */
export const NasBandPreference = LEGACY_BANDS;

export const NAS_LTE_BAND_PREFERENCE_BANDS = LEGACY_LTE_BANDS;

/** The band a modem is on, as RF band information and carrier aggregation report it. */
export const NasActiveBand = enumOf(u16, {
  ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`bc-${i}`, i])),
  'gsm-450': 40,
  'gsm-480': 41,
  'gsm-750': 42,
  'gsm-850': 43,
  'gsm-900-extended': 44,
  'gsm-900-primary': 45,
  'gsm-900-railways': 46,
  'gsm-dcs-1800': 47,
  'gsm-pcs-1900': 48,
  'wcdma-2100': 80,
  'wcdma-pcs-1900': 81,
  'wcdma-dcs-1800': 82,
  'wcdma-1700-us': 83,
  'wcdma-850': 84,
  'wcdma-800': 85,
  'wcdma-2600': 86,
  'wcdma-900': 87,
  'wcdma-1700-japan': 88,
  'wcdma-1500-japan': 90,
  'wcdma-850-japan': 91,
  ...Object.fromEntries(Object.entries({
    1: 120, 2: 121, 3: 122, 4: 123, 5: 124, 6: 125, 7: 126, 8: 127, 9: 128, 10: 129, 11: 130, 12: 131, 13: 132, 14: 133, 17: 134,
    18: 143, 19: 144, 20: 145, 21: 146, 23: 152, 24: 147, 25: 148, 26: 153, 27: 164, 28: 158, 29: 159, 30: 160, 31: 165, 32: 154,
    33: 135, 34: 136, 35: 137, 36: 138, 37: 139, 38: 140, 39: 141, 40: 142, 41: 149, 42: 150, 43: 151, 46: 163, 47: 166, 48: 167,
    66: 161, 71: 168, 125: 155, 126: 156, 127: 157, 250: 162,
  }).map(([band, v]) => [`eutran-${band}`, v])),
  ...Object.fromEntries('abcdef'.split('').map((x, i) => [`tdscdma-${x}`, 200 + i])),
  ...Object.fromEntries(Object.entries({
    1: 250, 2: 251, 3: 252, 5: 253, 7: 254, 8: 255, 20: 256, 28: 257, 38: 258, 41: 259, 50: 260, 51: 261, 66: 262, 70: 263, 71: 264,
    74: 265, 75: 266, 76: 267, 77: 268, 78: 269, 79: 270, 80: 271, 81: 272, 82: 273, 83: 274, 84: 275, 85: 276, 257: 277, 258: 278,
    259: 279, 260: 280, 261: 281, 12: 282, 25: 283, 34: 284, 39: 285, 40: 286, 65: 287, 86: 288, 48: 289, 14: 290, 13: 291, 18: 292,
    26: 293, 30: 294, 29: 295, 53: 296,
  }).map(([band, v]) => [`nr5g-${band}`, v])),
} as Record<string, number>);

export const NasDlBandwidth = enumOf(u32, { '1-4': 0, '3': 1, '5': 2, '10': 3, '15': 4, '20': 5, invalid: 6, unknown: 0xff });

export const NasScellState = enumOf(u32, { deconfigured: 0, deactivated: 1, activated: 2 });

/** DRX cycle length coefficient and its T (TS 24.008 10.5.5.6). */
export const NasDrx = enumOf(u32, { unknown: 0, 'cn6-t32': 6, 'cn7-t64': 7, 'cn8-t128': 8, 'cn9-t256': 9 });

export const NasPlmnEncodingScheme = enumOf(u8, { gsm: 0, ucs2le: 1 });

export const NasNetworkNameDisplayCondition = flagsOf(u8, {
  'registered-plmn-if-known-network': 1 << 0,
  'spn-not-required-if-unknown-network': 1 << 1,
});

/** Access technologies of a SIM's preferred-network entry (3GPP TS 31.102 EF_PLMNwAcT bits). */
export const NasPlmnAccessTechnologyIdentifier = flagsOf(u16, {
  unspecified: 0,
  'gsm-compact': 1 << 6,
  gsm: 1 << 7,
  ngran: 1 << 11,
  eutran: 1 << 14,
  utran: 1 << 15,
  all: 0xffff,
});

export const NasNetworkDescriptionEncoding = enumOf(u8, { unspecified: 0x00, ascii7: 0x01, unicode: 0x04, gsm: 0x09 });

/** Named as libqmi 1.32 names them (its constants misspell two of them, and its names follow). */
export const NasPlmnNameCountryInitials = enumOf(u8, { 'initials-do-not-add': 0, 'iniitals-add': 1, 'iniitals-unspecified': 0xff });

/** The WCDMA RRC state a UMTS cell report is taken in (neighbour LTE selection levels only in idle states). */
export const NasWcdmaRrcState = enumOf(u32, { disconnected: 0, 'cell-pch': 1, 'ura-pch': 2, 'cell-fach': 3, 'cell-dch': 4 });

export const NasNetworkRegisterType = enumOf(u8, { automatic: 1, manual: 2 });

/** A PLMN in cell reports: three BCD bytes as TS 24.008 10.5.1.3 packs them (MCC2 MCC1, MNC3 MCC3, MNC2 MNC1). */
const bcdPlmn = fixedArray(u8, 3);
const lteCell = struct({ physicalCellId: u16, rsrq: i16, rsrp: i16, rssi: i16, cellSelectionRxLevel: i16 });

const mccMnc = struct({ mcc: u16, mnc: u16 });
/** The SIM's user-controlled PLMN selector (EF_PLMNwAcT) as NAS carries it. */
const preferredNetworks = array(struct({ mcc: u16, mnc: u16, radioAccessTechnology: NasPlmnAccessTechnologyIdentifier }), 'u16');
const rxChain = struct({ isRadioTuned: bool8, rxPower: i32, ecio: i32, rscp: i32, rsrp: i32, phase: u32 });
const caCell = { physicalCellId: u16, rxChannel: u16, dlBandwidth: NasDlBandwidth, lteBand: NasActiveBand } as const;
/** A PLMN name as operator name and NITZ carry it: GSM 7-bit packed or UCS-2, long and short. */
const plmnNameData = {
  nameEncoding: NasPlmnEncodingScheme,
  shortCountryInitials: NasPlmnNameCountryInitials,
  longNameSpareBits: u8,
  shortNameSpareBits: u8,
  longName: array(u8),
  shortName: array(u8),
} as const;

/** TLVs 0x01–0x18, the same in Get Serving System's response and its indication (later ids differ). */
const servingSystemTlvsUpTo0x18 = {
  servingSystem: required(0x01, servingSystem),
  roamingIndicator: optional(0x10, NasRoamingIndicatorStatus),
  dataServiceCapability: optional(0x11, array(NasDataCapability)),
  currentPlmn: optional(0x12, plmn),
  cdmaSystemId: optional(0x13, struct({ sid: u16, nid: u16 })),
  cdmaBaseStationInfo: optional(0x14, struct({ baseStationId: u16, latitude: i32, longitude: i32 })),
  roamingIndicatorList: optional(0x15, array(struct({ radioInterface: radioInterfaceU8, roamingIndicator: NasRoamingIndicatorStatus }))),
  defaultRoamingIndicator: optional(0x16, NasRoamingIndicatorStatus),
  timeZone3gpp2: optional(0x17, struct({ leapSeconds: u8, localTimeOffset: i8, daylightSavingTime: bool8 })),
  cdmaPRev: optional(0x18, u8),
};

export const nas = service(
  'nas',
  0x03,
  {
    registerIndications: message(
      0x0003,
      {
        systemSelectionPreference: optional(0x10, bool8),
        ddtmEvents: optional(0x12, bool8),
        servingSystemEvents: optional(0x13, bool8),
        dualStandbyPreference: optional(0x14, bool8),
        subscriptionInfo: optional(0x15, bool8),
        networkTime: optional(0x17, bool8),
        systemInfo: optional(0x18, bool8),
        signalInfo: optional(0x19, bool8),
        errorRate: optional(0x1a, bool8),
        hdrNewUatiAssigned: optional(0x1b, bool8),
        hdrSessionClosed: optional(0x1c, bool8),
        managedRoaming: optional(0x1d, bool8),
        currentPlmnName: optional(0x1e, bool8),
        embmsStatus: optional(0x1f, bool8),
        rfBandInformation: optional(0x20, bool8),
        networkRejectInformation: optional(0x21, struct({ enableNetworkRejectIndications: bool8, suppressSystemInfoIndications: bool8 })),
      },
      {},
    ),
    getTechnologyPreference: message(
      0x002b,
      {},
      {
        active: required(0x01, struct({ preference: NasRadioTechnologyPreference, duration: u8 })),
        persistent: optional(0x10, NasRadioTechnologyPreference),
      },
    ),
    networkScan: message(
      0x0021,
      { networkType: optional(0x10, NasNetworkScanType) },
      {
        networkInformation: optional(0x10, array(struct({ mcc: u16, mnc: u16, networkStatus: NasNetworkStatus, description: stringU8 }), 'u16')),
        radioAccessTechnology: optional(0x11, array(struct({ mcc: u16, mnc: u16, radioInterface: NasRadioInterface }), 'u16')),
        mncPcsDigitIncludeStatus: optional(0x12, array(struct({ mcc: u16, mnc: u16, includesPcsDigit: bool8 }), 'u16')),
        networkScanResult: optional(0x13, NasNetworkScanResult),
      },
    ),
    setSystemSelectionPreference: message(
      0x0033,
      {
        nr5gNsaBandPreference: optional(0x30, fixedArray(u64, 8)),
        nr5gSaBandPreference: optional(0x2f, fixedArray(u64, 8)),
        extendedLteBandPreference: optional(0x24, fixedArray(u64, 4)),
        acquisitionOrderPreference: optional(0x1e, array(NasRadioInterface)),
        mncPcsDigitIncludeStatus: optional(0x1a, bool8),
        gsmWcdmaAcquisitionOrderPreference: optional(0x19, NasGsmWcdmaAcquisitionOrderPreference),
        serviceDomainPreference: optional(0x18, NasServiceDomainPreference),
        changeDuration: optional(0x17, NasChangeDuration),
        networkSelectionPreference: optional(0x16, struct({ mode: NasNetworkSelectionPreference, mcc: u16, mnc: u16 })),
        lteBandPreference: optional(0x15, u64),
        bandPreference: optional(0x12, u64),
        modePreference: optional(0x11, NasRatModePreference),
        emergencyMode: optional(0x10, bool8),
      },
      {},
    ),
    getSystemSelectionPreference: message(
      0x0034,
      {},
      {
        modePreference: optional(0x11, NasRatModePreference),
        /** GSM/WCDMA/CDMA bands, with DMS Get Band Capabilities' bits. */
        bandPreference: optional(0x12, u64),
        /** E-UTRA band n is bit n-1 (bands 1..64). */
        lteBandPreference: optional(0x15, u64),
        /** E-UTRA bands 1..256: band n is bit (n-1) % 64 of word (n-1) / 64. */
        extendedLteBandPreference: optional(0x23, fixedArray(u64, 4)),
        networkSelectionPreference: optional(0x16, NasNetworkSelectionPreference),
        serviceDomainPreference: optional(0x18, NasServiceDomainPreference),
        gsmWcdmaAcquisitionOrderPreference: optional(0x19, NasGsmWcdmaAcquisitionOrderPreference),
        /** Every technology the modem has, in the order it tries them (the first allowed one is preferred). */
        acquisitionOrderPreference: optional(0x1c, array(NasRadioInterface)),
        /** NR bands 1..512, the extended LTE mask's layout over eight words. */
        nr5gSaBandPreference: optional(0x2c, fixedArray(u64, 8)),
        nr5gNsaBandPreference: optional(0x2d, fixedArray(u64, 8)),
      },
    ),
    getSignalStrength: message(
      0x0020,
      { requestMask: optional(0x10, NasSignalStrengthRequest) },
      {
        signalStrength: required(0x01, signalWithRadio),
        strengthList: optional(0x10, array(signalWithRadio, 'u16')),
        rssiList: optional(0x11, array(valueWithRadio, 'u16')),
        ecioList: optional(0x12, array(valueWithRadio, 'u16')),
        io: optional(0x13, i32),
        sinr: optional(0x14, NasEvdoSinrLevel),
        errorRateList: optional(0x15, array(struct({ rate: u16, radioInterface: NasRadioInterface }), 'u16')),
        rsrq: optional(0x16, struct({ rsrq: i8, radioInterface: NasRadioInterface })),
        lteSnr: optional(0x17, i16),
        lteRsrp: optional(0x18, i16),
      },
    ),
    getServingSystem: message(
      0x0024,
      {},
      {
        ...servingSystemTlvsUpTo0x18,
        timeZone3gpp: optional(0x1a, i8),
        daylightSavingTimeAdjustment3gpp: optional(0x1b, u8),
        lac3gpp: optional(0x1c, u16),
        cid3gpp: optional(0x1d, u32),
        concurrentServiceInfo3gpp2: optional(0x1e, bool8),
        prlIndicator3gpp2: optional(0x1f, bool8),
        dtmSupport: optional(0x20, bool8),
        detailedServiceStatus: optional(0x21, detailedServiceStatus),
        cdmaSystemInfo: optional(0x22, struct({ mcc: u16, imsi11_12: u8 })),
        hdrPersonality: optional(0x23, NasHdrPersonality),
        lteTac: optional(0x24, u16),
        callBarringStatus: optional(0x25, callBarring),
        umtsPrimaryScramblingCode: optional(0x26, u16),
        mncPcsDigitIncludeStatus: optional(0x27, mncPcs),
        networkNameSource: optional(0x29, NasNetworkNameSource),
      },
    ),
    getHomeNetwork: message(
      0x0025,
      {},
      {
        homeNetwork: required(0x01, plmn),
        homeSystemId: optional(0x10, struct({ sid: u16, nid: u16 })),
        homeNetwork3gppMnc: optional(0x12, struct({ is3gpp: bool8, includesPcsDigit: bool8 })),
        networkNameSource: optional(0x13, NasNetworkNameSource),
      },
    ),
    getPreferredNetworks: message(
      0x0026,
      {},
      {
        preferredNetworks: optional(0x10, preferredNetworks),
        mncPcsDigitIncludeStatus: optional(0x12, array(mncPcs)),
      },
    ),
    getPlmnName: message(
      0x0044,
      { mncPcsDigitIncludeStatus: optional(0x11, mncPcs), suppressSimError: optional(0x10, bool8), plmn: required(0x01, mccMnc) },
      {
        eonsPlmnName3gpp: optional(
          0x10,
          struct({
            serviceProviderNameEncoding: NasNetworkDescriptionEncoding,
            serviceProviderName: array(u8),
            shortNameEncoding: NasNetworkDescriptionEncoding,
            shortNameCountryInitials: NasPlmnNameCountryInitials,
            shortNameSpareBits: u8,
            shortName: array(u8),
            longNameEncoding: NasNetworkDescriptionEncoding,
            longNameCountryInitials: NasPlmnNameCountryInitials,
            longNameSpareBits: u8,
            longName: array(u8),
          }),
        ),
      },
    ),
    getSystemInfo: message(0x004d, {}, {
      ...systemInfoTlvs,
      ...laterSystemInfoTlvs({ tdscdmaStatus: 0x24, tdscdmaInfo: 0x25, embms: 0x26, simReject: 0x27, status: 0x4a, info: 0x4b, endc: 0x4e, dcnr: 0x4f, tac: 0x50 }),
      imsVoiceSupport: optional(0x29, bool8),
      lteVoiceDomain: optional(0x2a, NasLteVoiceDomain),
      cdmaRegistrationZoneId: optional(0x2b, u16),
      gsmRoutingAreaCode: optional(0x2c, u8),
      wcdmaRoutingAreaCode: optional(0x2d, u8),
      cdmaResolvedMcc: optional(0x2e, u16),
      networkSelectionRegistrationRestriction: optional(0x2f, NasNetworkSelectionRegistrationRestriction),
      lteRegistrationDomain: optional(0x31, NasLteRegistrationDomain),
      lteEmbmsCoverageInfoTraceId: optional(0x34, u16),
      lteCellAccessStatus: optional(0x44, NasLteCellAccessStatus),
    }),
    forceNetworkSearch: message(0x0067, {}, {}),
    getSignalInfo: message(0x004f, {}, signalInfoTlvs),
    configSignalInfo: message(
      0x0050,
      {
        rssiThreshold: optional(0x10, array(i8)),
        ecioThreshold: optional(0x11, array(i16)),
        sinrThreshold: optional(0x12, array(u8)),
        lteSnrThreshold: optional(0x13, array(i16)),
        ioThreshold: optional(0x14, array(i32)),
        rsrqThreshold: optional(0x15, array(i8)),
        rsrpThreshold: optional(0x16, array(i16)),
        lteReport: optional(0x17, struct({ rate: u8, averagePeriod: u8 })),
        rscpThreshold: optional(0x18, array(i8)),
      },
      {},
    ),
    /** Report when a measurement moves by this much since the last report (tenths of dB), per RAT. */
    configSignalInfoV2: message(
      0x006c,
      {
        nr5gRsrpDelta: optional(0x36, u16),
        lteRssiDelta: optional(0x23, u16),
        wcdmaRssiDelta: optional(0x1f, u16),
        gsmRssiDelta: optional(0x1d, u16),
        hdrRssiDelta: optional(0x15, u16),
        cdmaRssiDelta: optional(0x11, u16),
      },
      {},
    ),
    /** Registers automatically, or in one network (radio interface -1: any). */
    initiateNetworkRegister: message(
      0x0022,
      {
        mncPcsDigitIncludeStatus: optional(0x12, bool8),
        changeDuration: optional(0x11, NasChangeDuration),
        manualRegistrationInfo3gpp: optional(0x10, struct({ mcc: u16, mnc: u16, radioInterface: NasRadioInterface })),
        action: required(0x01, NasNetworkRegisterType),
      },
      {},
    ),
    /** Serving and neighbouring cells per technology; LTE RSRP/RSRQ in tenths of dB. */
    getCellLocationInfo: message(
      0x0043,
      {},
      {
        geranInfoV2: optional(
          0x10,
          struct({
            cellId: u32,
            plmn: bcdPlmn,
            lac: u16,
            arfcn: u16,
            bsic: u8,
            timingAdvance: u32,
            rxLevel: u16,
            cells: array(struct({ cellId: u32, plmn: bcdPlmn, lac: u16, arfcn: u16, bsic: u8, rxLevel: u16 })),
          }),
        ),
        umtsInfoV2: optional(
          0x11,
          struct({
            cellId: u16,
            plmn: bcdPlmn,
            lac: u16,
            uarfcn: u16,
            primaryScramblingCode: u16,
            rscp: i16,
            ecio: i16,
            cells: array(struct({ uarfcn: u16, primaryScramblingCode: u16, rscp: i16, ecio: i16 })),
            neighboringGeran: array(struct({ arfcn: u16, networkColorCode: u8, baseStationColorCode: u8, rssi: i16 })),
          }),
        ),
        /** Latitude and longitude in units of 0.25 arc seconds. */
        cdmaInfo: optional(
          0x12,
          struct({ systemId: u16, networkId: u16, baseStationId: u16, referencePn: u16, latitude: u32, longitude: u32 }),
        ),
        intrafrequencyLteInfoV2: optional(
          0x13,
          struct({
            ueInIdle: bool8,
            plmn: bcdPlmn,
            trackingAreaCode: u16,
            globalCellId: u32,
            earfcn: u16,
            servingCellId: u16,
            cellReselectionPriority: u8,
            sNonIntraSearchThreshold: u8,
            servingCellLowThreshold: u8,
            sIntraSearchThreshold: u8,
            cells: array(lteCell),
          }),
        ),
        interfrequencyLteInfo: optional(
          0x14,
          struct({
            ueInIdle: bool8,
            frequencies: array(struct({ earfcn: u16, cellSelectionRxLevelLowThreshold: u8, cellSelectionRxLevelHighThreshold: u8, cellReselectionPriority: u8, cells: array(lteCell) })),
          }),
        ),
        lteInfoNeighboringGsm: optional(
          0x15,
          struct({
            ueInIdle: bool8,
            frequencies: array(
              struct({
                cellReselectionPriority: u8,
                cellReselectionHighThreshold: u8,
                cellReselectionLowThreshold: u8,
                nccPermitted: u8,
                cells: array(struct({ arfcn: u16, bandIs1900: bool8, cellIdValid: bool8, bsic: u8, rssi: i16, cellSelectionRxLevel: i16 })),
              }),
            ),
          }),
        ),
        lteInfoNeighboringWcdma: optional(
          0x16,
          struct({
            ueInIdle: bool8,
            frequencies: array(
              struct({
                uarfcn: u16,
                cellReselectionPriority: u8,
                cellReselectionHighThreshold: u16,
                cellReselectionLowThreshold: u16,
                cells: array(struct({ primaryScramblingCode: u16, cpichRscp: i16, cpichEcno: i16, cellSelectionRxLevel: i16 })),
              }),
            ),
          }),
        ),
        umtsCellId: optional(0x17, u32),
        umtsInfoNeighboringLte: optional(
          0x18,
          struct({
            rrcState: NasWcdmaRrcState,
            frequencies: array(struct({ earfcn: u16, physicalCellId: u16, rsrp: f32, rsrq: f32, cellSelectionRxLevel: i16, isTdd: bool8 })),
          }),
        ),
        lteInfoTimingAdvance: optional(0x1e, u32),
        nr5gArfcn: optional(0x2e, u32),
        /** TAC in three bytes, most significant first; RSRP, RSRQ and SNR in tenths of dB. */
        nr5gCellInformation: optional(
          0x2f,
          struct({ plmn: bcdPlmn, trackingAreaCode: fixedArray(u8, 3), globalCellId: u64, physicalCellId: u16, rsrq: i16, rsrp: i16, snr: i16 }),
        ),
      },
    ),
    /** Clears the service's state for this client (its indication registrations). */
    reset: message(0x0000, {}, {}),
    /** Bit n of the list set: message n is supported. */
    getSupportedMessages: message(0x001e, {}, { list: optional(0x10, bytesU16) }),
    /** Writes the SIM's user-controlled PLMN selector, replacing it when asked. */
    setPreferredNetworks: message(
      0x0027,
      {
        clearPreviousPreferredNetworks: optional(0x12, bool8),
        mncPcsDigitIncludeStatus: optional(0x11, array(mncPcs)),
        preferredNetworks: optional(0x10, preferredNetworks),
      },
      {},
    ),
    /** The band and channel of each radio in use. */
    getRfBandInformation: message(
      0x0031,
      {},
      {
        list: required(0x01, array(struct({ radioInterface: NasRadioInterface, activeBandClass: NasActiveBand, activeChannel: u16 }))),
        extendedList: optional(0x11, array(struct({ radioInterface: NasRadioInterface, activeBandClass: NasActiveBand, activeChannel: u32 }))),
        bandwidthList: optional(0x12, array(struct({ radioInterface: NasRadioInterface, bandwidth: NasDlBandwidth }))),
      },
    ),
    /** The names the SIM and the network give the operator (EF_SPN, EF_OPL, EF_PNN, NITZ). */
    getOperatorName: message(
      0x0039,
      {},
      {
        serviceProviderName: optional(0x10, struct({ nameDisplayCondition: NasNetworkNameDisplayCondition, name: stringU8 })),
        operatorPlmnList: optional(
          0x11,
          array(struct({ mcc: fixedString(3), mnc: fixedString(3), lac1: u16, lac2: u16, plmnNameRecordIdentifier: u8 }), 'u16'),
        ),
        operatorPlmnName: optional(0x12, array(struct(plmnNameData))),
        operatorStringName: optional(0x13, string),
        nitzInformation: optional(0x14, struct(plmnNameData)),
      },
    ),
    /** Receive chains and transmitter of one radio; powers in tenths of dBm. */
    getTxRxInfo: message(
      0x005a,
      { radioInterface: required(0x01, NasRadioInterface) },
      {
        rxChain0Info: optional(0x10, rxChain),
        rxChain1Info: optional(0x11, rxChain),
        txInfo: optional(0x12, struct({ isInTraffic: bool8, txPower: i32 })),
        rxChain2Info: optional(0x15, rxChain),
        rxChain3Info: optional(0x16, rxChain),
      },
    ),
    getDrx: message(0x0089, {}, { info: optional(0x10, NasDrx) }),
    /** LTE carrier aggregation: the primary cell and the secondary ones. */
    getLteCphyCaInfo: message(
      0x00ac,
      {},
      {
        dlBandwidth: optional(0x11, NasDlBandwidth),
        phyCaAggScellInfo: optional(0x12, struct({ ...caCell, state: NasScellState })),
        phyCaAggPcellInfo: optional(0x13, struct(caCell)),
        scellIndex: optional(0x14, u8),
        phyCaAggSecondaryCells: optional(0x15, array(struct({ ...caCell, state: NasScellState, cellIndex: u8 }))),
      },
    ),
  },
  {
    // From 0x19 on, the indication's ids are shifted against Get Serving System's response.
    servingSystem: indication(0x0024, {
      ...servingSystemTlvsUpTo0x18,
      plmnNameFlag3gpp: optional(0x19, bool8),
      timeZone3gpp: optional(0x1a, i8),
      daylightSavingTimeAdjustment3gpp: optional(0x1b, u8),
      universalTimeAndLocalTimeZone3gpp: optional(
        0x1c,
        struct({ year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8, timeZone: u8 }),
      ),
      lac3gpp: optional(0x1d, u16),
      cid3gpp: optional(0x1e, u32),
      concurrentServiceInfo3gpp2: optional(0x1f, bool8),
      prlIndicator3gpp2: optional(0x20, bool8),
      dtmSupport: optional(0x21, bool8),
      detailedServiceStatus: optional(0x22, detailedServiceStatus),
      cdmaSystemInfo: optional(0x23, struct({ mcc: u16, imsi11_12: u8 })),
      hdrPersonality: optional(0x24, NasHdrPersonality),
      lteTac: optional(0x25, u16),
      callBarringStatus: optional(0x26, callBarring),
      plmnNotChangedIndication: optional(0x27, bool8),
      umtsPrimaryScramblingCode: optional(0x28, u16),
      mncPcsDigitIncludeStatus: optional(0x29, mncPcs),
      networkNameSource: optional(0x2b, NasNetworkNameSource),
    }),
    systemInfo: indication(0x004e, {
      ...systemInfoTlvs,
      ...laterSystemInfoTlvs({ tdscdmaStatus: 0x25, tdscdmaInfo: 0x26, embms: 0x27, simReject: 0x28, status: 0x4c, info: 0x4d, endc: 0x50, dcnr: 0x51, tac: 0x52 }),
      plmnNotChanged: optional(0x24, bool8),
    }),
    signalInfo: indication(0x0051, signalInfoTlvs),
  },
);
