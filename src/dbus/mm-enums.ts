/**
 * The ModemManager 1.20 values wwankit's D-Bus API uses (include/ModemManager-enums.h and the
 * introspection XML): names and numbers as ModemManager defines them, so clients read them unchanged.
 */

export const MM_NAME = 'org.freedesktop.ModemManager1';
export const MM_PATH = '/org/freedesktop/ModemManager1';
/** The version clients see; wwankit implements the 1.20 API. */
export const MM_VERSION = '1.20.4-wwankit';

export const ModemState = {
  failed: -1,
  unknown: 0,
  initializing: 1,
  locked: 2,
  disabled: 3,
  disabling: 4,
  enabling: 5,
  enabled: 6,
  searching: 7,
  registered: 8,
  disconnecting: 9,
  connecting: 10,
  connected: 11,
} as const;

export const ModemStateFailedReason = { none: 0, unknown: 1, simMissing: 2, simError: 3 } as const;
export const ModemStateChangeReason = { unknown: 0, userRequested: 1, suspend: 2, failure: 3 } as const;
export const ModemCapability = { gsmUmts: 1 << 2, lte: 1 << 3, nr5g: 1 << 6 } as const;
export const ModemLock = { unknown: 0, none: 1, simPin: 2, simPin2: 3, simPuk: 4, simPuk2: 5 } as const;
export const ModemPowerState = { unknown: 0, off: 1, low: 2, on: 3 } as const;
export const ModemAccessTechnology = { unknown: 0, gsm: 1 << 1, umts: 1 << 5, lte: 1 << 14, nr5g: 1 << 15 } as const;
export const ModemMode = { none: 0, mode2g: 1 << 1, mode3g: 1 << 2, mode4g: 1 << 3, mode5g: 1 << 4 } as const;
export const ModemPortType = { net: 2, qmi: 6, mbim: 7 } as const;

export const Modem3gppRegistrationState = { idle: 0, home: 1, searching: 2, denied: 3, unknown: 4, roaming: 5 } as const;
/** MMModem3gppFacility bits. */
export const Modem3gppFacility = {
  sim: 1 << 0,
  fixedDialing: 1 << 1,
  phSim: 1 << 2,
  phFsim: 1 << 3,
  netPers: 1 << 4,
  netSubPers: 1 << 5,
  providerPers: 1 << 6,
  corpPers: 1 << 7,
} as const;
export const Modem3gppPacketServiceState = { unknown: 0, detached: 1, attached: 2 } as const;
/** MMModem3gppMicoMode and MMModem3gppDrxCycle, by value. */
export const Modem3gppMicoMode = ['unknown', 'unsupported', 'disabled', 'enabled'] as const;
export const Modem3gppDrxCycle = ['unknown', 'unsupported', '32', '64', '128', '256'] as const;

export const BearerIpFamily = { none: 0, ipv4: 1 << 0, ipv6: 1 << 1, ipv4v6: 1 << 2, any: 0xffffffff } as const;
export const BearerIpMethod = { unknown: 0, ppp: 1, static: 2, dhcp: 3 } as const;
export const BearerType = { unknown: 0, default: 1, defaultAttach: 2 } as const;
export const BearerAllowedAuth = { unknown: 0, none: 1 << 0, pap: 1 << 1, chap: 1 << 2 } as const;
export const BearerMultiplexSupport = { unknown: 0, none: 1, requested: 2, required: 3 } as const;

export const SimType = { unknown: 0, physical: 1, esim: 2 } as const;
export const SimEsimStatus = { unknown: 0, noProfiles: 1, withProfiles: 2 } as const;
export const SimRemovability = { unknown: 0, removable: 1, notRemovable: 2 } as const;
export const Modem3gppNetworkAvailability = { unknown: 0, available: 1, current: 2, forbidden: 3 } as const;
export const CellType = { unknown: 0, cdma: 1, gsm: 2, umts: 3, tdscdma: 4, lte: 5, nr5g: 6 } as const;

/** ModemManager's D-Bus error names (the MM_CORE_ERROR and MM_MOBILE_EQUIPMENT_ERROR domains). */
export const MmError = {
  failed: `${MM_NAME}.Error.Core.Failed`,
  invalidArgs: `${MM_NAME}.Error.Core.InvalidArgs`,
  unsupported: `${MM_NAME}.Error.Core.Unsupported`,
  wrongState: `${MM_NAME}.Error.Core.WrongState`,
  notFound: `${MM_NAME}.Error.Core.NotFound`,
  incorrectPassword: `${MM_NAME}.Error.MobileEquipment.IncorrectPassword`,
  simPuk: `${MM_NAME}.Error.MobileEquipment.SimPuk`,
  noNetwork: `${MM_NAME}.Error.MobileEquipment.NoNetwork`,
  network: (nick: string) => `${MM_NAME}.Error.MobileEquipment.${nick}`,
} as const;

/** libqmi's D-Bus name for a QMI protocol error (its nick), which ModemManager 1.20 passes on as the modem gave it. */
export const qmiProtocolErrorName = (nick: string): string => `org.freedesktop.libqmi.Error.Protocol.${nick}`;
