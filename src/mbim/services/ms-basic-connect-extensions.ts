/**
 * Microsoft Basic Connect Extensions (libmbim 1.28's declarations): PCO, LTE attach, system and device
 * capabilities per executor, SIM slots and their mapping, cells, location, provisioned contexts v2 and
 * the version exchange. Messages whose MBIMEx 3.0 layout differs are declared a second time under a
 * `V3` name (same CID): which one applies depends on the version agreed with `version`.
 * MBIMEx 3.0 TLVs (tlv-string, tlv-list) are kept as their raw bytes to the end of the buffer.
 */
import { cid, service } from '../service.js';
import { EMPTY, bytes, count, enumOf, i32, msStruct, msStructArray, refBytes, refStructArray, string, struct, tlvString, tlvU16Array, u16, u32, u64, uuid } from '../schema.js';
import { contextType } from '../context-types.js';
import {
  AuthProtocol, CellularClass, Compression, ContextIpType, CtrlCaps, DataClass, DataClassV3, DataSubclass, DeviceType, NwError, SimClass, SmsCaps, VoiceClass,
} from './basic-connect.js';

export const PcoType = enumOf({ complete: 0, partial: 1 });
const PcoValue = struct({ sessionId: u32, pcoDataSize: count, pcoDataType: PcoType, pcoDataBuffer: bytes('pcoDataSize') });
export const MbimVersion = struct({ mbimVersion: u16, mbimExtendedVersion: u16 });

export const LteAttachContextRoamingControl = enumOf({ home: 0, partner: 1, 'non-partner': 2 });
export const LteAttachContextOperation = enumOf({ default: 0, 'restore-factory': 1 });
export const LteAttachState = enumOf({ detached: 0, attached: 1 });
export const ContextSource = enumOf({ admin: 0, user: 1, operator: 2, modem: 3, device: 4 });
export const ContextState = enumOf({ disabled: 0, enabled: 1 });
export const ContextRoamingControl = enumOf({
  'home-only': 0, 'partner-only': 1, 'non-partner-only': 2, 'home-and-partner': 3, 'home-and-non-partner': 4,
  'partner-and-non-partner': 5, 'allow-all': 6,
});
export const ContextMediaType = enumOf({ 'cellular-only': 0, 'wifi-only': 1, all: 2 });
export const ContextOperation = enumOf({ default: 0, delete: 1, 'restore-factory': 2 });
/** libmbim's nicks keep its typo (MBIM_UICC_SLOT_SATE_OFF_EMPTY), which also keeps the `state-` prefix on the others. */
export const UiccSlotState = enumOf({
  'state-unknown': 0, 'sate-off-empty': 1, 'state-off': 2, 'state-empty': 3, 'state-not-ready': 4, 'state-active': 5,
  'state-error': 6, 'state-active-esim': 7, 'state-active-esim-no-profiles': 8,
});
export const MicoMode = enumOf({ disabled: 0, enabled: 1, unsupported: 2, default: 3 });
export const DrxCycle = enumOf({ 'not-specified': 0, 'not-supported': 1, '32': 2, '64': 3, '128': 4, '256': 5 });
export const LadnInfo = enumOf({ 'not-needed': 0, requested: 1 });
export const DefaultPduActivationHint = enumOf({ unlikely: 0, likely: 1 });
export const WakeType = enumOf({ 'cid-response': 0, 'cid-indication': 1, packet: 2 });
export const ModemConfigurationStatus = enumOf({ unknown: 0, started: 1, completed: 2 });

export const LteAttachConfiguration = struct({
  ipType: ContextIpType, roaming: LteAttachContextRoamingControl, source: ContextSource, accessString: string, userName: string,
  password: string, compression: Compression, authProtocol: AuthProtocol,
});
const LteAttachConfigurations = struct({ configurationCount: count, configurations: refStructArray('configurationCount', LteAttachConfiguration) });
export const LteAttachInfo = struct({
  lteAttachState: LteAttachState, ipType: ContextIpType, accessString: string, userName: string, password: string,
  compression: Compression, authProtocol: AuthProtocol,
});
/** MBIMEx 3.0 adds the network's reject cause. */
export const LteAttachInfoV3 = struct({
  lteAttachState: LteAttachState, nwError: NwError, ipType: ContextIpType, accessString: string, userName: string, password: string,
  compression: Compression, authProtocol: AuthProtocol,
});

export const SlotInfo = struct({ slotIndex: u32, state: UiccSlotState });
export const SlotMap = struct({ mapCount: count, slotMap: refStructArray('mapCount', struct({ slot: u32 })) });

export const ProvisionedContextV2 = struct({
  contextId: u32, contextType, ipType: ContextIpType, state: ContextState, roaming: ContextRoamingControl, mediaType: ContextMediaType,
  source: ContextSource, accessString: string, userName: string, password: string, compression: Compression, authProtocol: AuthProtocol,
});
const ProvisionedContextsV2 = struct({ provisionedContextsCount: count, provisionedContexts: refStructArray('provisionedContextsCount', ProvisionedContextV2) });

export const LocationInfo = struct({ locationAreaCode: u32, trackingAreaCode: u32, cellId: u32 });

// ---- Base stations: serving cells as ms-structs, neighbours as ms-struct-arrays; dBm values signed
export const ServingGsm = struct({ providerId: string, locationAreaCode: u32, cellId: u32, timingAdvance: u32, arfcn: u32, baseStationId: u32, rxLevel: u32 });
export const ServingUmts = struct({
  providerId: string, locationAreaCode: u32, cellId: u32, frequencyInfoUl: u32, frequencyInfoDl: u32, frequencyInfoNt: u32, uarfcn: u32,
  primaryScramblingCode: u32, rscp: i32, ecno: i32, pathLoss: u32,
});
export const ServingTdscdma = struct({ providerId: string, locationAreaCode: u32, cellId: u32, uarfcn: u32, cellParameterId: u32, timingAdvance: u32, rscp: i32, pathLoss: u32 });
export const ServingLte = struct({ providerId: string, cellId: u32, earfcn: u32, physicalCellId: u32, tac: u32, rsrp: i32, rsrq: i32, timingAdvance: u32 });
export const NeighbouringGsm = struct({ providerId: string, locationAreaCode: u32, cellId: u32, arfcn: u32, baseStationId: u32, rxLevel: u32 });
export const NeighbouringUmts = struct({ providerId: string, locationAreaCode: u32, cellId: u32, uarfcn: u32, primaryScramblingCode: u32, rscp: i32, ecno: i32, pathLoss: u32 });
export const NeighbouringTdscdma = ServingTdscdma;
export const NeighbouringLte = struct({ providerId: string, cellId: u32, earfcn: u32, physicalCellId: u32, tac: u32, rsrp: i32, rsrq: i32 });
export const CdmaCell = struct({
  servingCellFlag: u32, nid: u32, sid: u32, baseStationId: u32, baseLatitude: u32, baseLongitude: u32, refPn: u32, gpsSeconds: u32, pilotStrength: u32,
});
export const ServingNr = struct({ providerId: string, nci: u64, physicalCellId: u32, nrarfcn: u32, tac: u32, rsrp: u32, rsrq: u32, sinr: u32, timingAdvance: u64 });
export const NeighbouringNr = struct({ systemSubType: DataSubclass, providerId: string, cellId: string, physicalCellId: u32, tac: u32, rsrp: u32, rsrq: u32, sinr: u32 });

const cells = {
  gsmServingCell: msStruct(ServingGsm),
  umtsServingCell: msStruct(ServingUmts),
  tdscdmaServingCell: msStruct(ServingTdscdma),
  lteServingCell: msStruct(ServingLte),
  gsmNeighboringCells: msStructArray(NeighbouringGsm),
  umtsNeighboringCells: msStructArray(NeighbouringUmts),
  tdscdmaNeighboringCells: msStructArray(NeighbouringTdscdma),
  lteNeighboringCells: msStructArray(NeighbouringLte),
  cdmaCells: msStructArray(CdmaCell),
};
export const BaseStationsQuery = struct({ maxGsmCount: u32, maxUmtsCount: u32, maxTdscdmaCount: u32, maxLteCount: u32, maxCdmaCount: u32 });
export const BaseStationsInfo = struct({ systemType: DataClass, ...cells });
/** MBIMEx 3.0: a 5G limit in the query; in the response a V3 data class (one 5G bit), the subclass and NR cells. */
export const BaseStationsQueryV3 = struct({ ...BaseStationsQuery.shape, maxNrCount: u32 });
export const BaseStationsInfoV3 = struct({
  systemType: DataClassV3, systemSubType: DataSubclass, ...cells, nrServingCells: msStructArray(ServingNr), nrNeighborCells: msStructArray(NeighbouringNr),
});

export const DeviceCapsV2 = struct({
  deviceType: DeviceType, cellularClass: CellularClass, voiceClass: VoiceClass, simClass: SimClass, dataClass: DataClass, smsCaps: SmsCaps,
  controlCaps: CtrlCaps, maxSessions: u32, customDataClass: string, deviceId: string, firmwareInfo: string, hardwareInfo: string, executorIndex: u32,
});

/**
 * MBIMEx 3.0: a V3 data class, the 5G subclasses (a u64 on the wire, MbimDataSubclass's bits in its low
 * half), the bands (WCDMA as a bitmask, bit n for band n + 1; LTE and NR as u16 TLV arrays) and the
 * strings as TLVs, after the numbers.
 */
export const DeviceCapsV3 = struct({
  deviceType: DeviceType, cellularClass: CellularClass, voiceClass: VoiceClass, simClass: SimClass, dataClass: DataClassV3, smsCaps: SmsCaps,
  controlCaps: CtrlCaps, dataSubclass: u64, maxSessions: u32, executorIndex: u32, wcdmaBandClass: u32, lteBandClass: tlvU16Array,
  nrBandClass: tlvU16Array, customDataClass: tlvString, deviceId: tlvString, firmwareInfo: tlvString, hardwareInfo: tlvString,
});

// ---- MBIMEx 3.0 only (libmbim 1.28 declares them in its v3 service alone; mbimcli sends them whatever was agreed)
const RegistrationParameters = struct({
  micoMode: MicoMode, drxCycle: DrxCycle, ladnInfo: LadnInfo, defaultPduActivationHint: DefaultPduActivationHint, reRegisterIfNeeded: u32,
  unnamedIes: bytes(),
});
const ModemConfiguration = struct({ configurationStatus: ModemConfigurationStatus, configurationName: tlvString, unnamedIes: bytes() });

/** MBIM_TLV_TYPE_WAKE_COMMAND and _WAKE_PACKET: what a wake TLV's data holds. */
export const WakeTlvType = { command: 16, packet: 17 } as const;
/**
 * Wake Reason's one TLV (libmbim's `tlv`): type u16, reserved u8 and padding length u8 (kept as one
 * u16: both 0 when the data is 4-byte sized), data length, the data; the data is a WakeCommand or a
 * WakePacket by the TLV type, each with offsets from the data's start.
 */
export const WakeTlv = struct({ tlvType: u16, reservedAndPadding: u16, dataLength: count, data: bytes('dataLength') });
/** The CID whose response or indication woke the host, with the start of its buffer. */
export const WakeCommand = struct({ service: uuid, cid: u32, payload: refBytes });
export const WakePacket = struct({ filterId: u32, originalPacketSize: u32, packet: refBytes });

export const msBasicConnectExtensions = service('ms-basic-connect-extensions', '3d01dcc5-fef5-4d05-0d3a-bef7058e9aaf', {
  provisionedContexts: cid(1, {
    query: EMPTY,
    set: struct({
      operation: ContextOperation, contextType, ipType: ContextIpType, state: ContextState, roaming: ContextRoamingControl, mediaType: ContextMediaType,
      source: ContextSource, accessString: string, userName: string, password: string, compression: Compression, authProtocol: AuthProtocol,
    }),
    response: ProvisionedContextsV2,
    notification: ProvisionedContextsV2,
  }),
  lteAttachConfiguration: cid(3, {
    query: EMPTY,
    set: struct({ operation: LteAttachContextOperation, configurationCount: count, configurations: refStructArray('configurationCount', LteAttachConfiguration) }),
    response: LteAttachConfigurations,
    notification: LteAttachConfigurations,
  }),
  lteAttachInfo: cid(4, { query: EMPTY, response: LteAttachInfo, notification: LteAttachInfo }),
  lteAttachInfoV3: cid(4, { query: EMPTY, response: LteAttachInfoV3, notification: LteAttachInfoV3 }, 3),
  sysCaps: cid(5, { query: EMPTY, response: struct({ numberOfExecutors: u32, numberOfSlots: u32, concurrency: u32, modemId: u64 }) }),
  deviceCaps: cid(6, { query: EMPTY, response: DeviceCapsV2 }),
  deviceCapsV3: cid(6, { query: EMPTY, response: DeviceCapsV3 }, 3),
  deviceSlotMappings: cid(7, { query: EMPTY, set: SlotMap, response: SlotMap }),
  slotInfoStatus: cid(8, { query: struct({ slotIndex: u32 }), response: SlotInfo, notification: SlotInfo }),
  pco: cid(9, { query: PcoValue, response: PcoValue, notification: PcoValue }),
  baseStationsInfo: cid(11, { query: BaseStationsQuery, response: BaseStationsInfo }),
  baseStationsInfoV3: cid(11, { query: BaseStationsQueryV3, response: BaseStationsInfoV3 }, 3),
  locationInfoStatus: cid(12, { query: EMPTY, response: LocationInfo, notification: LocationInfo }),
  version: cid(15, { query: MbimVersion, response: MbimVersion }),
  modemConfiguration: cid(16, { query: EMPTY, response: ModemConfiguration, notification: ModemConfiguration }, 3),
  registrationParameters: cid(17, { query: EMPTY, set: RegistrationParameters, response: RegistrationParameters }, 3),
  wakeReason: cid(19, { query: EMPTY, response: struct({ wakeType: WakeType, sessionId: u32, wakeTlv: bytes() }) }, 3),
  // libmbim 1.30: the function answers, then resets (its control channel closes).
  deviceReset: cid(10, { set: EMPTY, response: EMPTY }),
});
