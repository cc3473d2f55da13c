/** NAS (service 0x03): registration, serving system, signal, system info. */
import {
  array,
  bool8,
  enumOf,
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
  stringU8,
  struct,
  u16,
  u32,
  u64,
  u8,
} from '../schema.js';

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

/** 3GPP TS 24.008 / 24.301 reject causes; the common ones are named, others show as numbers. */
export const NasRejectCause = enumOf(u8, {
  none: 0x00,
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

/** The "valid flag, value" pairs every 3GPP system-info TLV starts with, up to the network id. */
const systemInfoCommon = {
  domainValid: bool8,
  domain: NasNetworkServiceDomain,
  serviceCapabilityValid: bool8,
  serviceCapability: NasNetworkServiceDomain,
  roamingStatusValid: bool8,
  roamingStatus: NasRoamingStatus,
  forbiddenValid: bool8,
  forbidden: bool8,
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
/** NR5G system info has the LTE layout. */
const nr5gSystemInfo = lteSystemInfo;

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
  lteVoiceSupport: optional(0x21, bool8),
  nr5gServiceStatus: optional(0x4a, serviceStatus3gpp),
  nr5gSystemInfo: optional(0x4b, nr5gSystemInfo),
  eutraWithNr5gAvailability: optional(0x4e, bool8),
} as const;

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

export const NasRadioTechnologyPreference = flagsOf(u16, {
  '3gpp2': 1 << 0,
  '3gpp': 1 << 1,
  analog: 1 << 2,
  digital: 1 << 3,
  hdr: 1 << 4,
  lte: 1 << 5,
});

/** Access technologies of a SIM's preferred-network entry (3GPP TS 31.102 EF_PLMNwAcT bits). */
export const NasPlmnAccessTechnologyIdentifier = flagsOf(u16, {
  'gsm-compact': 1 << 6,
  gsm: 1 << 7,
  ngran: 1 << 11,
  eutran: 1 << 14,
  utran: 1 << 15,
});

export const NasNetworkDescriptionEncoding = enumOf(u8, { unspecified: 0x00, ascii7: 0x01, unicode: 0x04, gsm: 0x09 });

export const NasPlmnNameCountryInitials = enumOf(u8, { 'do-not-add': 0, add: 1, unspecified: 0xff });

export const NasNetworkRegisterType = enumOf(u8, { automatic: 1, manual: 2 });

/** A PLMN in cell reports: three BCD bytes as TS 24.008 10.5.1.3 packs them (MCC2 MCC1, MNC3 MCC3, MNC2 MNC1). */
const bcdPlmn = fixedArray(u8, 3);
const lteCell = struct({ physicalCellId: u16, rsrq: i16, rsrp: i16, rssi: i16, cellSelectionRxLevel: i16 });

const mccMnc = struct({ mcc: u16, mnc: u16 });

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
        preferredNetworks: optional(0x10, array(struct({ mcc: u16, mnc: u16, radioAccessTechnology: NasPlmnAccessTechnologyIdentifier }), 'u16')),
        mncPcsDigitIncludeStatus: optional(0x11, array(mncPcs, 'u16')),
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
    getSystemInfo: message(0x004d, {}, systemInfoTlvs),
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
        lteInfoTimingAdvance: optional(0x1e, u32),
        nr5gArfcn: optional(0x2e, u32),
        /** TAC in three bytes, most significant first; RSRP, RSRQ and SNR in tenths of dB. */
        nr5gCellInformation: optional(
          0x2f,
          struct({ plmn: bcdPlmn, trackingAreaCode: fixedArray(u8, 3), globalCellId: u64, physicalCellId: u16, rsrq: i16, rsrp: i16, snr: i16 }),
        ),
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
    systemInfo: indication(0x004e, systemInfoTlvs),
    signalInfo: indication(0x0051, signalInfoTlvs),
  },
);
