/**
 * Basic Connect (PROTOCOLS.md A.3.5), MBIM 1.0 layouts. Enum keys are libmbim's nicks, as mbimcli prints them.
 * CIDs that Microsoft's MBIMEx 2.0 and 3.0 revised are declared again under a `V2`/`V3` name (same CID,
 * `mbimex` 2 or 3): which layout a message has depends on the version agreed with MS Basic Connect
 * Extensions' `version` (libmbim 1.28's ms-basic-connect-v2/v3).
 */
import { cid, service } from '../service.js';
import {
  EMPTY, bytes, count, countedRefBytes, enumOf, flagsOf, ipv4, ipv6, msStructArray, refIpv4, refIpv6, refStructArray, string, stringArray, struct,
  structArray, tlvString, u16, u32, u32Array, u64, uuid,
} from '../schema.js';
import { contextType } from '../context-types.js';

export const DeviceType = enumOf({ unknown: 0, embedded: 1, removable: 2, remote: 3 });
export const CellularClass = flagsOf({ gsm: 1, cdma: 2 });
export const VoiceClass = enumOf({ unknown: 0, 'no-voice': 1, 'separated-voice-data': 2, 'simultaneous-voice-data': 3 });
export const SimClass = flagsOf({ logical: 1, removable: 2 });
export const DataClass = flagsOf({
  gprs: 1 << 0, edge: 1 << 1, umts: 1 << 2, hsdpa: 1 << 3, hsupa: 1 << 4, lte: 1 << 5, '5g-nsa': 1 << 6, '5g-sa': 1 << 7,
  '1xrtt': 1 << 16, '1xevdo': 1 << 17, '1xevdo-reva': 1 << 18, '1xevdv': 1 << 19, '3xrtt': 1 << 20, '1xevdo-revb': 1 << 21,
  umb: 1 << 22, custom: 0x80000000,
});
export const SmsCaps = flagsOf({ 'pdu-receive': 1, 'pdu-send': 2, 'text-receive': 4, 'text-send': 8 });
export const CtrlCaps = flagsOf({
  'reg-manual': 1, 'hw-radio-switch': 2, 'cdma-mobile-ip': 4, 'cdma-simple-ip': 8, 'multi-carrier': 16,
  esim: 32, 'ue-policy-route-selection': 64, 'sim-hot-swap-capable': 128,
});
export const SubscriberReadyState = enumOf({
  'not-initialized': 0, initialized: 1, 'sim-not-inserted': 2, 'bad-sim': 3, failure: 4, 'not-activated': 5,
  'device-locked': 6, 'no-esim-profile': 7,
});
export const ReadyInfoFlag = flagsOf({ none: 0, 'protect-unique-id': 1 });
export const RadioSwitchState = enumOf({ off: 0, on: 1 });
export const PinType = enumOf({
  unknown: 0, custom: 1, pin1: 2, pin2: 3, 'device-sim-pin': 4, 'device-first-sim-pin': 5, 'network-pin': 6,
  'network-subset-pin': 7, 'service-provider-pin': 8, 'corporate-pin': 9, 'subsidy-pin': 10, puk1: 11, puk2: 12,
  'device-first-sim-puk': 13, 'network-puk': 14, 'network-subset-puk': 15, 'service-provider-puk': 16, 'corporate-puk': 17,
});
export const PinState = enumOf({ unlocked: 0, locked: 1 });
export const PinOperation = enumOf({ enter: 0, enable: 1, disable: 2, change: 3 });
export const PinMode = enumOf({ 'not-supported': 0, enabled: 1, disabled: 2 });
export const PinFormat = enumOf({ unknown: 0, numeric: 1, alphanumeric: 2 });
export const ProviderState = flagsOf({
  unknown: 0, home: 1, forbidden: 2, preferred: 4, visible: 8, registered: 16, 'preferred-multicarrier': 32,
});
export const NwError = enumOf({
  none: 0, 'imsi-unknown-in-hlr': 2, 'illegal-ms': 3, 'imsi-unknown-in-vlr': 4, 'imei-not-accepted': 5, 'illegal-me': 6,
  'gprs-not-allowed': 7, 'gprs-and-non-gprs-not-allowed': 8, 'ms-identity-not-derived-by-network': 9, 'implicitly-detached': 10,
  'plmn-not-allowed': 11, 'location-area-not-allowed': 12, 'roaming-not-allowed-in-location-area': 13,
  'gprs-not-allowed-in-plmn': 14, 'no-cells-in-location-area': 15, 'msc-temporarily-not-reachable': 16, 'network-failure': 17,
  'mac-failure': 20, 'synch-failure': 21, congestion: 22, 'gsm-authentication-unacceptable': 23, 'not-authorized-for-csg': 25,
  'insufficient-resources': 26, 'missing-or-unknown-apn': 27, 'unknown-pdp-address-or-type': 28, 'user-authentication-failed': 29,
  'activation-rejected-by-ggsn-or-gw': 30, 'activation-rejected-unspecified': 31, 'service-option-not-supported': 32,
  'requested-service-option-not-subscribed': 33, 'service-option-temporarily-out-of-order': 34, 'no-pdp-context-activated': 40,
  'pdp-type-ipv4-only-allowed': 50, 'pdp-type-ipv6-only-allowed': 51, 'maximum-number-of-pdp-contexts-reached': 65,
  'requested-apn-not-supported-in-current-rat-and-plmn': 66, 'semantically-incorrect-message': 95,
  'invalid-mandatory-information': 96, 'message-type-non-existent-or-not-implemented': 97,
  'message-type-not-compatible-with-protocol-state': 98, 'information-element-non-existent-or-not-implemented': 99,
  'conditional-ie-error': 100, 'message-not-compatible-with-protocol-state': 101, 'protocol-error-unspecified': 111,
  'apn-restriction-value-incompatible-with-active-pdp-context': 112, 'multiple-accesses-to-a-pdn-connection-not-allowed': 113,
});
export const RegisterAction = enumOf({ automatic: 0, manual: 1 });
export const RegisterState = enumOf({ unknown: 0, deregistered: 1, searching: 2, home: 3, roaming: 4, partner: 5, denied: 6 });
export const RegisterMode = enumOf({ unknown: 0, automatic: 1, manual: 2 });
export const RegistrationFlag = flagsOf({ none: 0, 'manual-selection-not-available': 1, 'packet-service-automatic-attach': 2 });
export const PacketServiceAction = enumOf({ attach: 0, detach: 1 });
export const PacketServiceState = enumOf({ unknown: 0, attaching: 1, attached: 2, detaching: 3, detached: 4 });
export const ActivationCommand = enumOf({ deactivate: 0, activate: 1 });
export const Compression = enumOf({ none: 0, enable: 1 });
export const AuthProtocol = enumOf({ none: 0, pap: 1, chap: 2, mschapv2: 3 });
export const ContextIpType = enumOf({ default: 0, ipv4: 1, ipv6: 2, ipv4v6: 3, 'ipv4-and-ipv6': 4 });
export const ActivationState = enumOf({ unknown: 0, activated: 1, activating: 2, deactivated: 3, deactivating: 4 });
export const VoiceCallState = enumOf({ none: 0, 'in-progress': 1, 'hang-up': 2 });
export const VisibleProvidersAction = enumOf({ 'full-scan': 0, 'restricted-scan': 1 });
export const NetworkIdleHintState = enumOf({ disabled: 0, enabled: 1 });
export const EmergencyModeState = enumOf({ off: 0, on: 1 });
export const IpConfigurationAvailable = flagsOf({ none: 0, address: 1, gateway: 2, dns: 4, mtu: 8 });
// MBIMEx 2.0 and 3.0
export const FrequencyRange = flagsOf({ unknown: 0, '1': 1, '2': 2 });
/** MBIMEx 3.0's data class: one 5G bit (the subclass says which). */
export const DataClassV3 = flagsOf({
  gprs: 1 << 0, edge: 1 << 1, umts: 1 << 2, hsdpa: 1 << 3, hsupa: 1 << 4, lte: 1 << 5, '5g': 1 << 6,
  '1xrtt': 1 << 16, '1xevdo': 1 << 17, '1xevdo-reva': 1 << 18, '1xevdv': 1 << 19, '3xrtt': 1 << 20, '1xevdo-revb': 1 << 21,
  umb: 1 << 22, custom: 0x80000000,
});
export const DataSubclass = flagsOf({ none: 0, '5g-endc': 1, '5g-nr': 2, '5g-nedc': 4, '5g-elte': 8, '5g-ngendc': 16 });
export const SubscriberReadyStatusFlag = flagsOf({ none: 0, esim: 1, 'sim-removability-known': 2, 'sim-removable': 4 });
export const AccessMediaType = enumOf({ unknown: 0, '3gpp': 1, '3gpp-preferred': 2 });

export const DeviceCaps = struct({
  deviceType: DeviceType,
  cellularClass: CellularClass,
  voiceClass: VoiceClass,
  simClass: SimClass,
  dataClass: DataClass,
  smsCaps: SmsCaps,
  controlCaps: CtrlCaps,
  maxSessions: u32,
  customDataClass: string,
  deviceId: string,
  firmwareInfo: string,
  hardwareInfo: string,
});

export const SubscriberReadyStatus = struct({
  readyState: SubscriberReadyState,
  subscriberId: string,
  simIccId: string,
  readyInfo: ReadyInfoFlag,
  telephoneNumbersCount: count,
  telephoneNumbers: stringArray('telephoneNumbersCount'),
});

export const RadioStateInfo = struct({ hwRadioState: RadioSwitchState, swRadioState: RadioSwitchState });

export const PinInfo = struct({ pinType: PinType, pinState: PinState, remainingAttempts: u32 });
const PinDesc = struct({ pinMode: PinMode, pinFormat: PinFormat, pinLengthMin: u32, pinLengthMax: u32 });
export const PinList = struct({
  pin1: PinDesc, pin2: PinDesc, deviceSimPin: PinDesc, deviceFirstSimPin: PinDesc, networkPin: PinDesc,
  networkSubsetPin: PinDesc, serviceProviderPin: PinDesc, corporatePin: PinDesc, subsidyLock: PinDesc, custom: PinDesc,
});

export const Provider = struct({
  providerId: string,
  providerState: ProviderState,
  providerName: string,
  cellularClass: CellularClass,
  rssi: u32,
  errorRate: u32,
});

/** Preferred, visible and multicarrier providers. */
export const ProviderList = struct({ providersCount: count, providers: refStructArray('providersCount', Provider) });

/** A filter and its mask, both `filterSize` bytes. */
export const PacketFilter = struct({ filterSize: count, packetFilter: countedRefBytes('filterSize'), packetMask: countedRefBytes('filterSize') });
export const IpPacketFilters = struct({ sessionId: u32, packetFiltersCount: count, packetFilters: refStructArray('packetFiltersCount', PacketFilter) });

export const RegistrationState = struct({
  nwError: NwError,
  registerState: RegisterState,
  registerMode: RegisterMode,
  availableDataClasses: DataClass,
  currentCellularClass: CellularClass,
  providerId: string,
  providerName: string,
  roamingText: string,
  registrationFlag: RegistrationFlag,
});

export const PacketServiceInfo = struct({
  nwError: NwError,
  packetServiceState: PacketServiceState,
  highestAvailableDataClass: DataClass,
  uplinkSpeed: u64,
  downlinkSpeed: u64,
});

export const SignalStateInfo = struct({
  rssi: u32,
  errorRate: u32,
  signalStrengthInterval: u32,
  rssiThreshold: u32,
  errorRateThreshold: u32,
});

export const ConnectInfo = struct({
  sessionId: u32,
  activationState: ActivationState,
  voiceCallState: VoiceCallState,
  ipType: ContextIpType,
  contextType,
  nwError: NwError,
});

const ProvisionedContext = struct({
  contextId: u32,
  contextType,
  accessString: string,
  userName: string,
  password: string,
  compression: Compression,
  authProtocol: AuthProtocol,
});

const ProvisionedContextList = struct({
  provisionedContextsCount: count,
  provisionedContexts: refStructArray('provisionedContextsCount', ProvisionedContext),
});

export const IpConfiguration = struct({
  sessionId: u32,
  ipv4ConfigurationAvailable: IpConfigurationAvailable,
  ipv6ConfigurationAvailable: IpConfigurationAvailable,
  ipv4AddressCount: count,
  ipv4Address: structArray('ipv4AddressCount', struct({ onLinkPrefixLength: u32, address: ipv4 })),
  ipv6AddressCount: count,
  ipv6Address: structArray('ipv6AddressCount', struct({ onLinkPrefixLength: u32, address: ipv6 })),
  ipv4Gateway: refIpv4,
  ipv6Gateway: refIpv6,
  ipv4DnsServerCount: count,
  ipv4DnsServer: structArray('ipv4DnsServerCount', ipv4),
  ipv6DnsServerCount: count,
  ipv6DnsServer: structArray('ipv6DnsServerCount', ipv6),
  ipv4Mtu: u32,
  ipv6Mtu: u32,
});

/** An IP Configuration query: all zeros but the session id, as mbimcli sends it. */
export const ipConfigurationQuery = (sessionId: number) => ({
  sessionId, ipv4ConfigurationAvailable: 0, ipv6ConfigurationAvailable: 0, ipv4Address: [], ipv6Address: [],
  ipv4Gateway: undefined, ipv6Gateway: undefined, ipv4DnsServer: [], ipv6DnsServer: [], ipv4Mtu: 0, ipv6Mtu: 0,
});

// ---- MBIMEx 2.0 and 3.0 layouts
export const RegistrationStateV2 = struct({ ...RegistrationState.shape, preferredDataClasses: DataClass });
export const PacketServiceInfoV2 = struct({ ...PacketServiceInfo.shape, frequencyRange: FrequencyRange });
/** RSRP index (dBm = −157 + rsrp; 127: unknown), SNR index (dB = −23.5 + snr/2; 128: unknown), per system type. */
export const RsrpSnrInfo = struct({ rsrp: u32, snr: u32, rsrpThreshold: u32, snrThreshold: u32, systemType: DataClass });
export const SignalStateInfoV2 = struct({ ...SignalStateInfo.shape, rsrpSnr: msStructArray(RsrpSnrInfo) });
export const SubscriberReadyStatusV3 = struct({
  readyState: SubscriberReadyState,
  flags: SubscriberReadyStatusFlag,
  subscriberId: string,
  simIccId: string,
  readyInfo: ReadyInfoFlag,
  telephoneNumbersCount: count,
  telephoneNumbers: stringArray('telephoneNumbersCount'),
});
/** Tracking area: MCC and MNC as BCD digits in a u16 (an MNC of two digits has bit 15 set). */
export const Tai = struct({ plmnMcc: u16, plmnMnc: u16, tac: u32 });
export const PacketServiceInfoV3 = struct({
  nwError: NwError,
  packetServiceState: PacketServiceState,
  highestAvailableDataClassV3: DataClassV3,
  uplinkSpeed: u64,
  downlinkSpeed: u64,
  frequencyRange: FrequencyRange,
  dataSubclass: DataSubclass,
  tai: Tai,
});
/** MBIMEx 3.0 TLVs after the named fields, kept as their raw bytes. */
const unnamedIes = bytes();
export const ConnectInfoV3 = struct({ ...ConnectInfo.shape, mediaPreference: AccessMediaType, accessString: tlvString, unnamedIes });
export const PacketFilterV3 = struct({ ...PacketFilter.shape, filterId: u32 });
export const IpPacketFiltersV3 = struct({ sessionId: u32, packetFiltersCount: count, packetFilters: refStructArray('packetFiltersCount', PacketFilterV3) });

/** One service's CIDs, as Device Services and Device Service Subscribe List carry them. */
const EventEntry = struct({ deviceServiceId: uuid, cidsCount: count, cids: u32Array('cidsCount') });
export const EventList = struct({ eventsCount: count, events: refStructArray('eventsCount', EventEntry) });

export const basicConnect = service('basic-connect', 'a289cc33-bcbb-8b4f-b6b0-133ec2aae6df', {
  deviceCaps: cid(1, { query: EMPTY, response: DeviceCaps }),
  subscriberReadyStatus: cid(2, { query: EMPTY, response: SubscriberReadyStatus, notification: SubscriberReadyStatus }),
  radioState: cid(3, { query: EMPTY, set: struct({ radioState: RadioSwitchState }), response: RadioStateInfo, notification: RadioStateInfo }),
  pin: cid(4, {
    query: EMPTY,
    set: struct({ pinType: PinType, pinOperation: PinOperation, pin: string, newPin: string }),
    response: PinInfo,
  }),
  pinList: cid(5, { query: EMPTY, response: PinList }),
  homeProvider: cid(6, { query: EMPTY, set: Provider, response: Provider }),
  preferredProviders: cid(7, { query: EMPTY, set: ProviderList, response: ProviderList, notification: ProviderList }),
  visibleProviders: cid(8, { query: struct({ action: VisibleProvidersAction }), response: ProviderList }),
  registerState: cid(9, {
    query: EMPTY,
    set: struct({ providerId: string, registerAction: RegisterAction, dataClass: DataClass }),
    response: RegistrationState,
    notification: RegistrationState,
  }),
  packetService: cid(10, { query: EMPTY, set: struct({ packetServiceAction: PacketServiceAction }), response: PacketServiceInfo, notification: PacketServiceInfo }),
  signalState: cid(11, {
    query: EMPTY,
    set: struct({ signalStrengthInterval: u32, rssiThreshold: u32, errorRateThreshold: u32 }),
    response: SignalStateInfo,
    notification: SignalStateInfo,
  }),
  connect: cid(12, {
    query: ConnectInfo,
    set: struct({
      sessionId: u32,
      activationCommand: ActivationCommand,
      accessString: string,
      userName: string,
      password: string,
      compression: Compression,
      authProtocol: AuthProtocol,
      ipType: ContextIpType,
      contextType,
    }),
    response: ConnectInfo,
    notification: ConnectInfo,
  }),
  provisionedContexts: cid(13, {
    query: EMPTY,
    set: struct({
      contextId: u32, contextType, accessString: string, userName: string, password: string,
      compression: Compression, authProtocol: AuthProtocol, providerId: string,
    }),
    response: ProvisionedContextList,
    notification: ProvisionedContextList,
  }),
  serviceActivation: cid(14, { set: struct({ buffer: bytes() }), response: struct({ nwError: NwError, buffer: bytes() }) }),
  ipConfiguration: cid(15, { query: IpConfiguration, response: IpConfiguration, notification: IpConfiguration }),
  deviceServices: cid(16, {
    query: EMPTY,
    response: struct({
      deviceServicesCount: count,
      maxDssSessions: u32,
      deviceServices: refStructArray(
        'deviceServicesCount',
        struct({ deviceServiceId: uuid, dssPayload: u32, maxDssInstances: u32, cidsCount: count, cids: u32Array('cidsCount') }),
      ),
    }),
  }),
  deviceServiceSubscribeList: cid(19, { set: EventList, response: EventList }),
  packetStatistics: cid(20, {
    query: EMPTY,
    response: struct({
      inDiscards: u32, inErrors: u32, inOctets: u64, inPackets: u64, outOctets: u64, outPackets: u64, outErrors: u32, outDiscards: u32,
    }),
  }),
  networkIdleHint: cid(21, { query: EMPTY, set: struct({ state: NetworkIdleHintState }), response: struct({ state: NetworkIdleHintState }) }),
  emergencyMode: cid(22, {
    query: EMPTY,
    set: struct({ state: EmergencyModeState }),
    response: struct({ state: EmergencyModeState }),
    notification: struct({ state: EmergencyModeState }),
  }),
  ipPacketFilters: cid(23, { query: IpPacketFilters, set: IpPacketFilters, response: IpPacketFilters }),
  multicarrierProviders: cid(24, { query: EMPTY, set: ProviderList, response: ProviderList, notification: ProviderList }),
});

const v1 = basicConnect.cids;

/** Basic Connect's CIDs as MBIMEx 2.0 and 3.0 revised them (queries and sets unchanged are repeated). */
export const basicConnectMbimex = service('basic-connect', basicConnect.uuid, {
  registerStateV2: cid(9, { query: EMPTY, set: v1.registerState.set, response: RegistrationStateV2, notification: RegistrationStateV2 }, 2),
  packetServiceV2: cid(10, { query: EMPTY, set: v1.packetService.set, response: PacketServiceInfoV2, notification: PacketServiceInfoV2 }, 2),
  signalStateV2: cid(11, { query: EMPTY, set: v1.signalState.set, response: SignalStateInfoV2, notification: SignalStateInfoV2 }, 2),
  subscriberReadyStatusV3: cid(2, { query: EMPTY, response: SubscriberReadyStatusV3, notification: SubscriberReadyStatusV3 }, 3),
  packetServiceV3: cid(10, { query: EMPTY, set: v1.packetService.set, response: PacketServiceInfoV3, notification: PacketServiceInfoV3 }, 3),
  connectV3: cid(
    12,
    {
      query: struct({ sessionId: u32 }),
      set: struct({
        sessionId: u32,
        activationCommand: ActivationCommand,
        compression: Compression,
        authProtocol: AuthProtocol,
        ipType: ContextIpType,
        contextType,
        mediaPreference: AccessMediaType,
        accessString: tlvString,
        userName: tlvString,
        password: tlvString,
        unnamedIes,
      }),
      response: ConnectInfoV3,
      notification: ConnectInfoV3,
    },
    3,
  ),
  ipPacketFiltersV3: cid(23, { query: IpPacketFiltersV3, set: IpPacketFiltersV3, response: IpPacketFiltersV3 }, 3),
});
