/**
 * WDS (service 0x01): data calls, their settings, profiles and statistics.
 * Request TLVs are declared in descending id order: encodeTlvs follows declaration order, and libqmi
 * (so qmicli) sends them that way, which keeps our frames byte-identical to theirs.
 */
import {
  array,
  bool8,
  bytes,
  bytesU16,
  enumOf,
  flagsOf,
  i16,
  i8,
  indication,
  ipv4,
  ipv6,
  message,
  optional,
  required,
  secret,
  service,
  string,
  stringU16,
  stringU8,
  struct,
  u16,
  u32,
  u64,
  u8,
} from '../schema.js';

export const WdsIpFamily = enumOf(u8, { unknown: 0, ipv4: 4, ipv6: 6, unspecified: 8 });

export const WdsAuthentication = flagsOf(u8, { none: 0, pap: 1 << 0, chap: 1 << 1 });

export const WdsConnectionStatus = enumOf(u8, {
  unknown: 0,
  disconnected: 1,
  connected: 2,
  suspended: 3,
  authenticating: 4,
});

export const WdsTechnologyPreference = flagsOf(u8, { '3gpp': 1 << 0, '3gpp2': 1 << 1 });

export const WdsExtendedTechnologyPreference = enumOf(u16, {
  cdma: 0x8001,
  umts: 0x8004,
  eps: 0x8880,
  embms: 0x8882,
  'modem-link-local': 0x8888,
});

export const WdsCallType = enumOf(u8, { laptop: 0, embedded: 1 });

/** The generic call-end reasons; technology-specific ones (500+ CDMA, 1000+ GSM/WCDMA, …) show as numbers. */
export const WdsCallEndReason = enumOf(u16, {
  'generic-unspecified': 1,
  'generic-client-end': 2,
  'generic-no-service': 3,
  'generic-fade': 4,
  'generic-release-normal': 5,
  'generic-access-attempt-in-progress': 6,
  'generic-access-failure': 7,
  'generic-redirection-or-handoff': 8,
  'generic-close-in-progress': 9,
  'generic-authentication-failed': 10,
  'generic-internal-error': 11,
});

export const WdsVerboseCallEndReasonType = enumOf(u16, {
  none: 0,
  mip: 1,
  internal: 2,
  cm: 3,
  '3gpp': 6,
  ppp: 7,
  ehrpd: 8,
  ipv6: 9,
});

/** Names of the verbose call-end reasons by type (TLV 0x11), for the codes a network commonly gives. */
export const WdsVerboseCallEndReason3gpp = enumOf(i16, {
  'operator-determined-barring': 8,
  'llc-sndcp-failure': 25,
  'insufficient-resources': 26,
  'unknown-apn': 27,
  'unknown-pdp': 28,
  'authentication-failed': 29,
  'ggsn-reject': 30,
  'activation-reject': 31,
  'option-not-supported': 32,
  'option-unsubscribed': 33,
  'option-temporarily-out-of-order': 34,
  'ipv4-only-allowed': 50,
  'ipv6-only-allowed': 51,
  'multiple-connection-to-same-pdn-not-allowed': 55,
});
export const WdsVerboseCallEndReasonCm = enumOf(i16, {
  'client-end': 2000,
  'no-service': 2001,
  fade: 2002,
  'release-normal': 2003,
  offline: 2500,
});
export const WdsVerboseCallEndReasonInternal = enumOf(i16, { error: 201, 'unknown-cause': 204 });

export const WdsProfileType = enumOf(u8, { '3gpp': 0, '3gpp2': 1, all: 0xff });

export const WdsIpSupportType = enumOf(u8, { ipv4: 0, ipv6: 1, ipv4v6: 2 });

export const WdsPdpType = enumOf(u8, { ipv4: 0, ppp: 1, ipv6: 2, 'ipv4-or-ipv6': 3 });

export const WdsPdpHeaderCompressionType = enumOf(u8, { off: 0, 'manufacturer-preferred': 1, 'rfc1144': 2, 'rfc2507': 3, 'rfc3095': 4 });

export const WdsPdpDataCompressionType = enumOf(u8, { off: 0, 'manufacturer-preferred': 1, v42bis: 2, v44: 3 });

export const WdsGetCurrentSettingsRequestedSettings = flagsOf(u32, {
  none: 0,
  'profile-id': 1 << 0,
  'profile-name': 1 << 1,
  'pdp-type': 1 << 2,
  'apn-name': 1 << 3,
  'dns-address': 1 << 4,
  'granted-qos': 1 << 5,
  username: 1 << 6,
  'authentication-protocol': 1 << 7,
  'ip-address': 1 << 8,
  'gateway-info': 1 << 9,
  'pcscf-address': 1 << 10,
  'pcscf-server-address-list': 1 << 11,
  'pcscf-domain-name-list': 1 << 12,
  mtu: 1 << 13,
  'domain-name-list': 1 << 14,
  'ip-family': 1 << 15,
  'imcn-flag': 1 << 16,
  'extended-technology-preference': 1 << 17,
  'operator-reserved-pco': 1 << 18,
});

export const WdsPacketStatisticsMaskFlag = flagsOf(u32, {
  'tx-packets-ok': 1 << 0,
  'rx-packets-ok': 1 << 1,
  'tx-packets-error': 1 << 2,
  'rx-packets-error': 1 << 3,
  'tx-overflows': 1 << 4,
  'rx-overflows': 1 << 5,
  'tx-bytes-ok': 1 << 6,
  'rx-bytes-ok': 1 << 7,
  'tx-packets-dropped': 1 << 8,
  'rx-packets-dropped': 1 << 9,
});

export const WdsClientType = enumOf(u32, { tethered: 1, undefined: 0xffffffff });

export const WdsTrafficClass = enumOf(u8, { subscribed: 0, conversational: 1, streaming: 2, interactive: 3, background: 4 });

/** Shared with WDA: where the data path of a call or a data format lives. */
export const DataEndpointType = enumOf(u32, {
  unknown: 0,
  hsic: 1,
  hsusb: 2,
  pcie: 3,
  embedded: 4,
  'bam-dmux': 5,
  undefined: 0xff,
});

export const endpointInfo = struct({ endpointType: DataEndpointType, interfaceNumber: u32 });

export const WdsAutoconnectSetting = enumOf(u8, { disabled: 0, enabled: 1, paused: 2 });
export const WdsAutoconnectSettingRoaming = enumOf(u8, { allowed: 0, 'home-only': 1 });

/** Which family of profiles a default applies to: embedded (the modem's own calls) or tethered (the host's). */
export const WdsProfileFamily = enumOf(u8, { embedded: 0, tethered: 1 });

export const WdsAttachPdnListAction = enumOf(u32, { none: 1, 'detach-or-pdn-disconnect': 2 });

export const WdsDormancyStatus = enumOf(u8, { unknown: 0, 'traffic-channel-dormant': 1, 'traffic-channel-active': 2 });

/** The modem's SIO data ports a client binds to (libqmi's QmiSioPort: the A2/BAM-DMUX rmnet ports by name). */
export const SioPort = enumOf(u16, {
  none: 0x0000,
  'a2-mux-rmnet0': 0x0e04,
  'a2-mux-rmnet1': 0x0e05,
  'a2-mux-rmnet2': 0x0e06,
  'a2-mux-rmnet3': 0x0e07,
  'a2-mux-rmnet4': 0x0e08,
  'a2-mux-rmnet5': 0x0e09,
  'a2-mux-rmnet6': 0x0e0a,
  'a2-mux-rmnet7': 0x0e0b,
});

export const WdsDataBearerTechnology = enumOf(i8, {
  unknown: -1,
  cdma20001x: 0x01,
  '1xevdo': 0x02,
  gsm: 0x03,
  umts: 0x04,
  '1xevdo-reva': 0x05,
  edge: 0x06,
  hsdpa: 0x07,
  hsupa: 0x08,
  'hsdpa-hsupdpa': 0x09,
  lte: 0x0a,
  ehrpd: 0x0b,
  hsdpaplus: 0x0c,
  'hsdpaplus-hsupa': 0x0d,
  dchsdpaplus: 0x0e,
  'dchsdpaplus-hsupa': 0x0f,
  'hsdpaplus-plus-64qam': 0x10,
  'hsdpaplus-plus-64qam-hsupa': 0x11,
  tdscdma: 0x12,
  'tdscdma-hsdpa': 0x13,
  'tdscdma-hsupa': 0x14,
});

export const WdsNetworkType = enumOf(u8, { unknown: 0, '3gpp2': 1, '3gpp': 2 });

export const WdsRat3gpp = flagsOf(u32, {
  none: 0,
  wcdma: 1 << 0,
  gprs: 1 << 1,
  hsdpa: 1 << 2,
  hsupa: 1 << 3,
  edge: 1 << 4,
  lte: 1 << 5,
  hsdpaplus: 1 << 6,
  dchsdpaplus: 1 << 7,
  '64qam': 1 << 8,
  tdscdma: 1 << 9,
  'null-bearer': 1 << 15,
});

/** The modem's profile database errors (TLV 0xE0 with ExtendedInternal). */
export const WdsDsProfileError = enumOf(u16, {
  unknown: 0,
  fail: 1,
  'invalid-handle': 2,
  'invalid-operation': 3,
  'invalid-profile-type': 4,
  'invalid-profile-number': 5,
  'invalid-profile-id': 6,
  'invalid-argument': 7,
  'registry-not-initialized': 8,
  'invalid-parameter-length': 9,
  'list-end': 10,
  'invalid-subscription-id': 11,
  'invalid-profile-family': 12,
  '3gpp-invalid-profile-family': 1001,
  '3gpp-access-error': 1002,
  '3gpp-context-not-defined': 1003,
  '3gpp-valid-flag-not-set': 1004,
  '3gpp-read-only-flag-set': 1005,
  '3gpp-out-of-profiles': 1006,
  '3gpp2-invalid-profile-id': 1101,
});

/** A rate the modem cannot give (no call). */
export const WDS_RATE_UNAVAILABLE = 0xffffffff;

// ---------------------------------------------------------------------------------------------
// Shared layouts

const profileId = struct({ profileType: WdsProfileType, profileIndex: u8 });
const verboseCallEndReason = struct({ type: WdsVerboseCallEndReasonType, reason: i16 });
const ipv6WithPrefix = struct({ address: ipv6, prefixLength: u8 });
const extendedErrorCode = optional(0xe0, u16);

/**
 * The profile settings TLVs (libqmi's "WDS common" TLVs) that Create/Modify Profile send and Get
 * Profile Settings returns, in descending id order.
 */
const profileSettings = {
  roamingDisallowedFlag: optional(0x3e, bool8),
  apnDisabledFlag: optional(0x2f, bool8),
  ipv6SecondaryDnsAddressPreference: optional(0x2c, ipv6),
  ipv6PrimaryDnsAddressPreference: optional(0x2b, ipv6),
  ipv6AddressPreference: optional(0x28, ipv6),
  pdpContextPrimaryId: optional(0x27, u8),
  pdpContextSecondaryFlag: optional(0x26, bool8),
  pdpContextNumber: optional(0x25, u8),
  imcnFlag: optional(0x22, bool8),
  pcscfAddressUsingDhcp: optional(0x21, bool8),
  pcscfAddressUsingPco: optional(0x1f, bool8),
  ipv4AddressPreference: optional(0x1e, ipv4),
  authentication: optional(0x1d, WdsAuthentication),
  password: secret(optional(0x1c, string)),
  username: optional(0x1b, string),
  secondaryIpv4DnsAddress: optional(0x16, ipv4),
  primaryIpv4DnsAddress: optional(0x15, ipv4),
  apnName: optional(0x14, string),
  pdpDataCompressionType: optional(0x13, WdsPdpDataCompressionType),
  pdpHeaderCompressionType: optional(0x12, WdsPdpHeaderCompressionType),
  pdpType: optional(0x11, WdsPdpType),
  profileName: optional(0x10, string),
} as const;

export const wds = service(
  'wds',
  0x01,
  {
    setEventReport: message(
      0x0001,
      {
        extendedDataBearerTechnology: optional(0x1e, bool8),
        pdnFilterRemovals: optional(0x1d, bool8),
        limitedDataSystemStatus: optional(0x1c, bool8),
        uplinkFlowControl: optional(0x1b, bool8),
        dataSystems: optional(0x1a, bool8),
        evdoPmChange: optional(0x19, bool8),
        preferredDataSystem: optional(0x18, bool8),
        dataCallStatus: optional(0x17, bool8),
        currentDataBearerTechnology: optional(0x15, bool8),
        mipStatus: optional(0x14, u8),
        dormancyStatus: optional(0x13, bool8),
        dataBearerTechnology: optional(0x12, bool8),
        transferStatistics: optional(0x11, struct({ intervalSeconds: u8, indicators: WdsPacketStatisticsMaskFlag })),
        channelRate: optional(0x10, bool8),
      },
      {},
    ),
    getAutoconnectSettings: message(0x0034, {}, { status: required(0x01, WdsAutoconnectSetting), roaming: optional(0x10, WdsAutoconnectSettingRoaming) }),
    indicationRegister: message(0x0003, { reportExtendedIpConfigurationChange: optional(0x12, bool8) }, {}),
    startNetwork: message(
      0x0020,
      {
        callType: optional(0x35, WdsCallType),
        extendedTechnologyPreference: optional(0x34, WdsExtendedTechnologyPreference),
        enableAutoconnect: optional(0x33, bool8),
        profileIndex3gpp2: optional(0x32, u8),
        profileIndex3gpp: optional(0x31, u8),
        technologyPreference: optional(0x30, WdsTechnologyPreference),
        ipFamilyPreference: optional(0x19, WdsIpFamily),
        password: secret(optional(0x18, string)),
        username: optional(0x17, string),
        authenticationPreference: optional(0x16, WdsAuthentication),
        ipv4AddressPreference: optional(0x15, ipv4),
        apn: optional(0x14, string),
        secondaryNbnsAddressPreference: optional(0x13, ipv4),
        primaryNbnsAddressPreference: optional(0x12, ipv4),
        secondaryDnsAddressPreference: optional(0x11, ipv4),
        primaryDnsAddressPreference: optional(0x10, ipv4),
      },
      {
        packetDataHandle: required(0x01, u32),
        // Sent with status failure and error CallFailed.
        callEndReason: optional(0x10, WdsCallEndReason),
        verboseCallEndReason: optional(0x11, verboseCallEndReason),
      },
    ),
    stopNetwork: message(
      0x0021,
      { disableAutoconnect: optional(0x10, bool8), packetDataHandle: required(0x01, u32) },
      {},
    ),
    getPacketServiceStatus: message(0x0022, {}, { connectionStatus: required(0x01, WdsConnectionStatus) }),
    getPacketStatistics: message(
      0x0024,
      { mask: required(0x01, WdsPacketStatisticsMaskFlag) },
      {
        txPacketsOk: optional(0x10, u32),
        rxPacketsOk: optional(0x11, u32),
        txPacketsError: optional(0x12, u32),
        rxPacketsError: optional(0x13, u32),
        txOverflows: optional(0x14, u32),
        rxOverflows: optional(0x15, u32),
        txBytesOk: optional(0x19, u64),
        rxBytesOk: optional(0x1a, u64),
        // Also sent with error OutOfCall: the totals of the last call.
        lastCallTxBytesOk: optional(0x1b, u64),
        lastCallRxBytesOk: optional(0x1c, u64),
        txPacketsDropped: optional(0x1d, u32),
        rxPacketsDropped: optional(0x1e, u32),
      },
    ),
    createProfile: message(
      0x0027,
      { ...profileSettings, profileType: required(0x01, WdsProfileType) },
      { profileIdentifier: required(0x01, profileId), extendedErrorCode },
    ),
    modifyProfile: message(0x0028, { ...profileSettings, profileIdentifier: required(0x01, profileId) }, { extendedErrorCode }),
    getProfileList: message(
      0x002a,
      { profileType: optional(0x10, WdsProfileType) },
      {
        profileList: required(0x01, array(struct({ profileType: WdsProfileType, profileIndex: u8, profileName: stringU8 }))),
        extendedErrorCode,
      },
    ),
    getProfileSettings: message(0x002b, { profileId: required(0x01, profileId) }, { ...profileSettings, extendedErrorCode }),
    getCurrentSettings: message(
      0x002d,
      { requestedSettings: required(0x10, WdsGetCurrentSettingsRequestedSettings) },
      {
        profileName: optional(0x10, string),
        pdpType: optional(0x11, WdsPdpType),
        apnName: optional(0x14, string),
        primaryIpv4DnsAddress: optional(0x15, ipv4),
        secondaryIpv4DnsAddress: optional(0x16, ipv4),
        umtsGrantedQos: optional(
          0x17,
          struct({
            trafficClass: WdsTrafficClass,
            maxUplinkBitrate: u32,
            maxDownlinkBitrate: u32,
            guaranteedUplinkBitrate: u32,
            guaranteedDownlinkBitrate: u32,
            qosDeliveryOrder: u8,
            maximumSduSize: u32,
            sduErrorRatio: u8,
            residualBitErrorRatio: u8,
            deliveryErroneousSdu: u8,
            transferDelay: u32,
            trafficHandlingPriority: u32,
          }),
        ),
        gprsGrantedQos: optional(
          0x19,
          struct({ precedenceClass: u32, delayClass: u32, reliabilityClass: u32, peakThroughputClass: u32, meanThroughputClass: u32 }),
        ),
        username: optional(0x1b, string),
        authentication: optional(0x1d, WdsAuthentication),
        ipv4Address: optional(0x1e, ipv4),
        profileId: optional(0x1f, profileId),
        ipv4GatewayAddress: optional(0x20, ipv4),
        ipv4GatewaySubnetMask: optional(0x21, ipv4),
        pcscfAddressUsingPco: optional(0x22, bool8),
        pcscfServerAddressList: optional(0x23, array(ipv4)),
        pcscfDomainNameList: optional(0x24, array(stringU16)),
        ipv6Address: optional(0x25, ipv6WithPrefix),
        ipv6GatewayAddress: optional(0x26, ipv6WithPrefix),
        ipv6PrimaryDnsAddress: optional(0x27, ipv6),
        ipv6SecondaryDnsAddress: optional(0x28, ipv6),
        mtu: optional(0x29, u32),
        domainNameList: optional(0x2a, array(stringU16)),
        ipFamily: optional(0x2b, WdsIpFamily),
        imcnFlag: optional(0x2c, i8),
        extendedTechnologyPreference: optional(0x2d, WdsExtendedTechnologyPreference),
        // Kept raw: neither PROTOCOLS.md nor libqmi 1.32 pins its layout down.
        operatorReservedPco: optional(0x2f, bytes),
      },
    ),
    getLteAttachParameters: message(
      0x0085,
      {},
      { apn: optional(0x10, string), ipSupportType: optional(0x11, WdsIpSupportType), otaAttachPerformed: optional(0x12, bool8) },
    ),
    /** The profiles the modem attaches to LTE with, by index. */
    getLteAttachPdnList: message(0x0094, {}, { currentList: optional(0x10, array(u16)), pendingList: optional(0x11, array(u16)) }),
    /** Back to the service's defaults for this client (no event reports, IP family IPv4). */
    reset: message(0x0000, {}, {}),
    getChannelRates: message(
      0x0023,
      {},
      { channelRates: required(0x01, struct({ channelTxRateBps: u32, channelRxRateBps: u32, maxChannelTxRateBps: u32, maxChannelRxRateBps: u32 })) },
    ),
    deleteProfile: message(0x0029, { profileIdentifier: required(0x01, profileId) }, { extendedErrorCode }),
    getDefaultSettings: message(0x002c, { profileType: required(0x01, WdsProfileType) }, { ...profileSettings, extendedErrorCode }),
    getDormancyStatus: message(0x0030, {}, { dormancyStatus: required(0x01, WdsDormancyStatus) }),
    /** Release the call's traffic channel (the call stays up) / bring it back. */
    goDormant: message(0x0025, {}, {}),
    goActive: message(0x0026, {}, {}),
    getSupportedMessages: message(0x001e, {}, { list: optional(0x10, bytesU16) }),
    /** Bind this client to one of the modem's SIO data ports (kept with `--client-no-release-cid`). */
    bindDataPort: message(0x0089, { dataPort: required(0x01, SioPort) }, {}),
    getDataBearerTechnology: message(0x0037, {}, { current: required(0x01, WdsDataBearerTechnology), last: optional(0x10, WdsDataBearerTechnology) }),
    getCurrentDataBearerTechnology: message(
      0x0044,
      {},
      {
        current: optional(0x01, struct({ networkType: WdsNetworkType, ratMask: u32, soMask: u32 })),
        // Also sent with error OutOfCall: the technology of the last call.
        last: optional(0x10, struct({ networkType: WdsNetworkType, ratMask: u32, soMask: u32 })),
      },
    ),
    getDefaultProfileNumber: message(
      0x0049,
      { profileType: required(0x01, struct({ type: WdsProfileType, family: WdsProfileFamily })) },
      { index: optional(0x01, u8), extendedErrorCode },
    ),
    setDefaultProfileNumber: message(
      0x004a,
      { profileIdentifier: required(0x01, struct({ type: WdsProfileType, family: WdsProfileFamily, index: u8 })) },
      { extendedErrorCode },
    ),
    setAutoconnectSettings: message(0x0051, { roaming: optional(0x10, WdsAutoconnectSettingRoaming), status: required(0x01, WdsAutoconnectSetting) }, {}),
    getMaxLteAttachPdnNumber: message(0x0092, {}, { info: optional(0x10, u8) }),
    setLteAttachPdnList: message(0x0093, { action: optional(0x10, WdsAttachPdnListAction), list: required(0x01, array(u16)) }, {}),
    setIpFamily: message(0x004d, { preference: required(0x01, WdsIpFamily) }, {}),
    bindMuxDataPort: message(
      0x00a2,
      {
        clientType: optional(0x13, WdsClientType),
        muxId: optional(0x11, u8),
        endpointInfo: optional(0x10, endpointInfo),
      },
      {},
    ),
  },
  {
    packetServiceStatus: indication(0x0022, {
      connectionStatus: required(0x01, struct({ status: WdsConnectionStatus, reconfigurationRequired: bool8 })),
      callEndReason: optional(0x10, WdsCallEndReason),
      verboseCallEndReason: optional(0x11, verboseCallEndReason),
      ipFamily: optional(0x12, WdsIpFamily),
      extendedTechnologyPreference: optional(0x34, WdsExtendedTechnologyPreference),
    }),
  },
);
