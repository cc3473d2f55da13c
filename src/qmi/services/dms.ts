/** DMS (service 0x02): device identity, capabilities, operating mode, legacy PIN status. */
import { array, bool8, bytesU16, enumOf, fixedArray, fixedString, flagsOf, indication, message, optional, required, secret, service, string, stringU8, struct, u16, u32, u64, u8 } from '../schema.js';
import { LEGACY_BANDS } from '../bands.js';

export const DmsOperatingMode = enumOf(u8, {
  online: 0,
  'low-power': 1,
  'factory-test': 2,
  offline: 3,
  reset: 4,
  'shutting-down': 5,
  'persistent-low-power': 6,
  'mode-only-low-power': 7,
  unknown: 0xff,
});

export const DmsOfflineReason = flagsOf(u16, {
  'host-image-misconfiguration': 1 << 0,
  'pri-image-misconfiguration': 1 << 1,
  'pri-version-incompatible': 1 << 2,
  'device-memory-full': 1 << 3,
});

export const DmsDataServiceCapability = enumOf(u8, {
  none: 0,
  cs: 1,
  ps: 2,
  'simultaneous-cs-ps': 3,
  'nonsimultaneous-cs-ps': 4,
});

export const DmsSimCapability = enumOf(u8, { 'not-supported': 1, supported: 2 });

export const DmsRadioInterface = enumOf(u8, { cdma20001x: 1, evdo: 2, gsm: 4, umts: 5, lte: 8, '5gnr': 12 });

export const DmsUimPinStatus = enumOf(u8, {
  'not-initialized': 0,
  'enabled-not-verified': 1,
  'enabled-verified': 2,
  disabled: 3,
  blocked: 4,
  'permanently-blocked': 5,
  unblocked: 6,
  changed: 7,
});

export const DmsUimState = enumOf(u8, {
  'initialization-completed': 0,
  'locked-or-failed': 1,
  'not-present': 2,
  reserved: 3,
  unknown: 0xff,
});

export const DmsActivationState = enumOf(u16, {
  'not-activated': 0,
  activated: 1,
  connecting: 2,
  connected: 3,
  'otasp-authenticated': 4,
  'otasp-nam': 5,
  'otasp-mdn': 6,
  'otasp-imsi': 7,
  'otasp-prl': 8,
  'otasp-spc': 9,
  'otasp-committed': 10,
});

/** The personalization (network, subset, provider, corporate, SIM) locks, as in AT+CLCK. */
export const DmsUimFacility = enumOf(u8, { pn: 0, pu: 1, pp: 2, pc: 3, pf: 4 });

export const DmsUimFacilityState = enumOf(u8, { deactivated: 0, activated: 1, blocked: 2 });

/** Get Band Capabilities TLV 0x01: the legacy band mask (TLV 0x10 is the legacy LTE mask). */
export const DmsBandCapability = LEGACY_BANDS;

/** Which SIM PIN the DMS legacy UIM operations act on. */
export const DmsUimPinId = enumOf(u8, { pin: 1, pin2: 2 });

export const DmsPowerState = flagsOf(u8, {
  'external-source': 1 << 0,
  'battery-connected': 1 << 1,
  'battery-charging': 1 << 2,
  fault: 1 << 3,
});

export const DmsTimeSource = enumOf(u16, { device: 0, 'cdma-network': 1, 'hdr-network': 2 });

export const DmsFirmwareImageType = enumOf(u8, { modem: 0, pri: 1 });

/** Whether the modem boots into its download mode (QDL) to take new images. */
export const DmsBootImageDownloadMode = enumOf(u8, { normal: 0, 'boot-and-recovery': 1 });

export const DmsMacType = enumOf(u32, { wlan: 0, bt: 1 });

/**
 * A firmware image as the image store names it: a 16-byte unique id (ASCII padded with NULs on the
 * modems that use text, `?_?` a wildcard) and a build id.
 */
const firmwareImage = struct({ type: DmsFirmwareImageType, uniqueId: fixedArray(u8, 16), buildId: stringU8 });

const pinRetriesStatus = optional(0x10, struct({ verifyRetriesLeft: u8, unblockRetriesLeft: u8 }));

const pinStatus = struct({ status: DmsUimPinStatus, verifyRetriesLeft: u8, unblockRetriesLeft: u8 });

export const dms = service(
  'dms',
  0x02,
  {
    setEventReport: message(
      0x0001,
      {
        powerStateReporting: optional(0x10, bool8),
        batteryLevelReportLimits: optional(0x11, struct({ lower: u8, upper: u8 })),
        pinStateReporting: optional(0x12, bool8),
        activationStateReporting: optional(0x13, bool8),
        operatingModeReporting: optional(0x14, bool8),
        uimStateReporting: optional(0x15, bool8),
        wirelessDisableStateReporting: optional(0x16, bool8),
        prlInitReporting: optional(0x17, bool8),
      },
      {},
    ),
    getCapabilities: message(
      0x0020,
      {},
      {
        info: required(
          0x01,
          struct({
            maxTxChannelRate: u32,
            maxRxChannelRate: u32,
            dataServiceCapability: DmsDataServiceCapability,
            simCapability: DmsSimCapability,
            radioInterfaces: array(DmsRadioInterface),
          }),
        ),
      },
    ),
    getManufacturer: message(0x0021, {}, { manufacturer: required(0x01, string) }),
    getModel: message(0x0022, {}, { model: required(0x01, string) }),
    getRevision: message(0x0023, {}, { revision: required(0x01, string) }),
    getMsisdn: message(0x0024, {}, { msisdn: required(0x01, string) }),
    getIds: message(
      0x0025,
      {},
      {
        esn: optional(0x10, string),
        imei: optional(0x11, string),
        meid: optional(0x12, string),
        imeiSoftwareVersion: optional(0x13, string),
      },
    ),
    getPowerState: message(0x0026, {}, { info: required(0x01, struct({ powerStateFlags: DmsPowerState, batteryLevel: u8 })) }),
    // The PIN operations answer failures with the retries left.
    uimSetPinProtection: message(
      0x0027,
      { info: secret(required(0x01, struct({ pinId: DmsUimPinId, protectionEnabled: bool8, pin: stringU8 }))) },
      { pinRetriesStatus },
    ),
    uimVerifyPin: message(0x0028, { info: secret(required(0x01, struct({ pinId: DmsUimPinId, pin: stringU8 }))) }, { pinRetriesStatus }),
    uimUnblockPin: message(0x0029, { info: secret(required(0x01, struct({ pinId: DmsUimPinId, puk: stringU8, newPin: stringU8 }))) }, { pinRetriesStatus }),
    uimChangePin: message(0x002a, { info: secret(required(0x01, struct({ pinId: DmsUimPinId, oldPin: stringU8, newPin: stringU8 }))) }, { pinRetriesStatus }),
    uimGetPinStatus: message(0x002b, {}, { pin1Status: optional(0x11, pinStatus), pin2Status: optional(0x12, pinStatus) }),
    getHardwareRevision: message(0x002c, {}, { revision: required(0x01, string) }),
    getOperatingMode: message(
      0x002d,
      {},
      {
        mode: required(0x01, DmsOperatingMode),
        // Only sent when the mode is offline.
        offlineReason: optional(0x10, DmsOfflineReason),
        hardwareRestrictedMode: optional(0x11, bool8),
      },
    ),
    setOperatingMode: message(0x002e, { mode: required(0x01, DmsOperatingMode) }, {}),
    getTime: message(
      0x002f,
      {},
      {
        /** A 48-bit count of 1.25 ms units since the GPS epoch (1980-01-06), as two words. */
        deviceTime: required(0x01, struct({ timeCountLow: u32, timeCountHigh: u16, timeSource: DmsTimeSource })),
        /** Milliseconds since the GPS epoch. */
        systemTime: optional(0x10, u64),
        userTime: optional(0x11, u64),
      },
    ),
    uimGetIccid: message(0x003c, {}, { iccid: required(0x01, string) }),
    uimGetImsi: message(0x0043, {}, { imsi: required(0x01, string) }),
    uimGetState: message(0x0044, {}, { state: required(0x01, DmsUimState) }),
    validateServiceProgrammingCode: message(0x003b, { serviceProgrammingCode: secret(required(0x01, fixedString(6))) }, {}),
    getSoftwareVersion: message(0x0051, {}, { version: required(0x01, string) }),
    /** Back to the service's defaults for this client (event reporting off). */
    reset: message(0x0000, {}, {}),
    uimGetCkStatus: message(
      0x0040,
      { facility: required(0x01, DmsUimFacility) },
      {
        ckStatus: required(0x01, struct({ facilityState: DmsUimFacilityState, verifyRetriesLeft: u8, unblockRetriesLeft: u8 })),
        operationBlockingFacility: optional(0x10, bool8),
      },
    ),
    getBandCapabilities: message(
      0x0045,
      {},
      {
        bandCapability: required(0x01, u64),
        /** E-UTRA band n is bit n-1 (bands 1..64). */
        lteBandCapability: optional(0x10, u64),
        /** Every E-UTRA band by number, including those above 64. */
        extendedLteBandCapability: optional(0x12, array(u16, 'u16')),
        /** Every NR band by number. */
        nr5gBandCapability: optional(0x13, array(u16, 'u16')),
      },
    ),
    /** Factory settings back; the carrier's six-digit service programming code (000000 where none is set). */
    restoreFactoryDefaults: message(0x003a, { serviceProgrammingCode: secret(required(0x01, fixedString(6))) }, {}),
    getSupportedMessages: message(0x001e, {}, { list: optional(0x10, bytesU16) }),
    /** CDMA: the preferred roaming list's version. */
    getPrlVersion: message(0x0030, {}, { version: required(0x01, u16), prlOnlyPreference: optional(0x10, bool8) }),
    getActivationState: message(0x0031, {}, { info: required(0x01, DmsActivationState) }),
    /** CDMA over-the-air activation with the carrier's code (e.g. `*22899`). */
    activateAutomatic: message(0x0032, { activationCode: required(0x01, stringU8) }, {}),
    activateManual: message(
      0x0033,
      {
        info: secret(required(0x01, struct({ serviceProgrammingCode: fixedString(6), systemIdentificationNumber: u16, mobileDirectoryNumber: stringU8, mobileIdentificationNumber: stringU8 }))),
      },
      {},
    ),
    /** The user lock: a 4-digit code the device asks for at power-up when enabled. */
    getUserLockState: message(0x0034, {}, { enabled: required(0x01, bool8) }),
    setUserLockState: message(0x0035, { info: secret(required(0x01, struct({ enabled: bool8, lockCode: fixedString(4) }))) }, {}),
    setUserLockCode: message(0x0036, { info: secret(required(0x01, struct({ oldCode: fixedString(4), newCode: fixedString(4) }))) }, {}),
    readUserData: message(0x0037, {}, { userData: required(0x01, bytesU16) }),
    writeUserData: message(0x0038, { userData: required(0x01, bytesU16) }, {}),
    /** CDMA: the Enhanced Roaming Indicator file. */
    readEriFile: message(0x0039, {}, { eriFile: required(0x01, bytesU16) }),
    setFirmwareId: message(0x003e, {}, {}),
    uimSetCkProtection: message(
      0x0041,
      { facility: secret(required(0x01, struct({ facility: DmsUimFacility, facilityState: DmsUimFacilityState, key: stringU8 }))) },
      { verifyRetriesLeft: optional(0x10, u8) },
    ),
    uimUnblockCk: message(0x0042, { facility: secret(required(0x01, struct({ facility: DmsUimFacility, key: stringU8 }))) }, { unblockRetriesLeft: optional(0x10, u8) }),
    getFactorySku: message(0x0046, {}, { sku: required(0x01, string) }),
    /** The modem and PRI (carrier configuration) images to boot next. */
    getFirmwarePreference: message(0x0047, {}, { list: required(0x01, array(firmwareImage)) }),
    setFirmwarePreference: message(
      0x0048,
      { list: required(0x01, array(firmwareImage)), downloadOverride: optional(0x10, bool8), modemStorageIndex: optional(0x11, u8) },
      /** The image types the modem lacks and will wait for in download mode after the reset. */
      { imageDownloadList: optional(0x01, array(DmsFirmwareImageType)) },
    ),
    listStoredImages: message(
      0x0049,
      {},
      {
        list: required(
          0x01,
          array(
            struct({
              type: DmsFirmwareImageType,
              maximumImages: u8,
              indexOfRunningImage: u8,
              sublist: array(struct({ storageIndex: u8, failureCount: u8, uniqueId: fixedArray(u8, 16), buildId: stringU8 })),
            }),
          ),
        ),
      },
    ),
    deleteStoredImage: message(0x004a, { imageDetails: required(0x01, firmwareImage) }, {}),
    getStoredImageInfo: message(
      0x004c,
      { imageDetails: required(0x01, firmwareImage) },
      {
        bootVersion: optional(0x10, struct({ majorVersion: u16, minorVersion: u16 })),
        priVersion: optional(0x11, struct({ priVersion: u32, priInfo: fixedString(32, 0) })),
        oemLockId: optional(0x12, u32),
      },
    ),
    getBootImageDownloadMode: message(0x004f, {}, { mode: optional(0x10, DmsBootImageDownloadMode) }),
    setBootImageDownloadMode: message(0x0050, { mode: required(0x01, DmsBootImageDownloadMode) }, {}),
    getMacAddress: message(0x005c, { device: required(0x01, DmsMacType) }, { macAddress: optional(0x10, array(u8)) }),
    /** Lets a modem that needs it transmit (the FCC lock some laptop modems ship with). */
    setFccAuthentication: message(0x555f, {}, {}),
  },
  {
    eventReport: indication(0x0001, {
      powerState: optional(0x10, struct({ powerStateFlags: u8, batteryLevel: u8 })),
      pin1Status: optional(0x11, pinStatus),
      pin2Status: optional(0x12, pinStatus),
      activationState: optional(0x13, DmsActivationState),
      operatingMode: optional(0x14, DmsOperatingMode),
      uimState: optional(0x15, DmsUimState),
      wirelessDisableState: optional(0x16, bool8),
      prlInitNotification: optional(0x17, bool8),
    }),
  },
);
