/**
 * The firmware behind the MBIM services: Basic Connect, DSS, MS Basic Connect Extensions Version and
 * QMI over MBIM, answered from the firmware model's state, with the notifications a real function
 * sends when that state changes.
 */
import { ContextType } from '../mbim/context-types.js';
import { MbimStatus } from '../mbim/protocol.js';
import type { QmuxPort } from '../qmi/port.js';
import { QMI_SERVICE_CTL, decodeQmux } from '../qmi/qmux.js';
import {
  ActivationState,
  CellularClass,
  ContextIpType,
  DeviceType,
  IpConfigurationAvailable,
  PacketServiceState,
  ProviderState,
  RadioSwitchState,
  ReadyInfoFlag,
  RegisterMode,
  RegisterState,
  RegistrationFlag,
  SimClass,
  SmsCaps,
  CtrlCaps,
  SubscriberReadyState,
  VoiceCallState,
  VoiceClass,
  AccessMediaType,
  DataSubclass,
  FrequencyRange,
  SubscriberReadyStatusFlag,
  basicConnect,
  basicConnectMbimex,
} from '../mbim/services/basic-connect.js';
import { DssLinkState, dss } from '../mbim/services/dss.js';
import { PcoType, msBasicConnectExtensions } from '../mbim/services/ms-basic-connect-extensions.js';
import { networkPco, operatorPco } from './pco.js';
import { qmi } from '../mbim/services/qmi.js';
import type { ResponseOf } from '../mbim/service.js';
import type { SimDataPlane } from './data-plane.js';
import { atds } from '../mbim/services/atds.js';
import { serveMbimSms } from './mbim-sms.js';
import { serveUicc } from './mbim-uicc.js';
import { serveMbimContexts } from './mbim-contexts.js';
import { serveMbimMsV3 } from './mbim-ms-v3.js';
import { serveMbimLteAttach } from './mbim-lte-attach.js';
import { DATA_CLASS_OF, RegistrationFailure, registerWith, registrationNwError, serveMbimRadio } from './mbim-radio.js';
import { FirmwareError, type CallEndReason, type IpFamily, type ModemFirmware, type Session } from './firmware.js';
import { DSS_SERVICES, MAX_DSS_SESSIONS, type DssRefusal, type SimDssServices } from './mbim-dss.js';
import { MbimCommandFailure, type MbimConnection, type MbimDeviceEndpoint } from './mbim-endpoint.js';
import type { QmuxHub } from './qmi-hub.js';

export interface MbimFirmwareParts {
  firmware: ModemFirmware;
  data: SimDataPlane;
  dss: SimDssServices;
  /** The modem's QMI hub: each MBIM connection's QMI-over-MBIM tunnel is one of its connections. */
  qmiHub: QmuxHub;
}

const bc = basicConnect.cids;
const bcx = basicConnectMbimex.cids;
const fail = (status: number, values?: object): MbimCommandFailure => new MbimCommandFailure(status, values);

const ext = msBasicConnectExtensions.cids;

/** MBIM 1.0; MBIMEx as the firmware's config says (1.0: none). */
const MBIM_VERSION = 0x0100;

/** A PLMN's MCC and MNC as MBIMEx 3.0's TAI holds them: BCD digits in a u16, bit 15 set for a two-digit MNC. */
const bcdPlmn = (mcc: string, mnc: string): { plmnMcc: number; plmnMnc: number } => ({
  plmnMcc: parseInt(mcc, 16),
  plmnMnc: (mnc.length === 2 ? 0x8000 : 0) | parseInt(mnc, 16),
});


/** Refusals as a network and modem give them: an MBIM status and the 3GPP ESM cause (TS 24.301) as NwError. */
const REFUSALS: Record<CallEndReason, { status: number; nwError: number }> = {
  'unknown-apn': { status: MbimStatus.Failure, nwError: 27 },
  'apn-in-use': { status: MbimStatus.Failure, nwError: 55 },
  'ip-family-not-allowed': { status: MbimStatus.Failure, nwError: 50 },
  'too-many-sessions': { status: MbimStatus.MaxActivatedContexts, nwError: 65 },
  'not-registered': { status: MbimStatus.NotRegistered, nwError: 0 },
  'radio-off': { status: MbimStatus.RadioPowerOff, nwError: 0 },
};

const DSS_REFUSALS: Record<DssRefusal, number> = {
  'unknown-service': MbimStatus.InvalidDeviceServiceOperation,
  'instance-limit': MbimStatus.DssInstanceLimit,
  'session-in-use': MbimStatus.Busy,
  'not-open': MbimStatus.InvalidDeviceServiceOperation,
};

/** An MBIM session on a firmware PDN: what the host asked for, to report it back. */
interface Context {
  handle: number;
  ipType: number;
  contextType: string;
  accessString: string;
}

export function serveMbimFirmware(ep: MbimDeviceEndpoint, parts: MbimFirmwareParts): { close(): void } {
  const { firmware: fw, data, dss: dssServices } = parts;
  const contexts = new Map<number, Context>();
  const signalConfig = { signalStrengthInterval: 0, rssiThreshold: 0, errorRateThreshold: 0 };
  let signalTimer: NodeJS.Timeout | undefined;

  const requireSim = (): void => {
    if (fw.simState === 'absent') throw fail(MbimStatus.SimNotInserted);
    if (fw.simState !== 'ready') throw fail(MbimStatus.PinRequired);
  };
  const dataClass = (): number => (fw.registered ? DATA_CLASS_OF[fw.rat] : 0);

  // ---- Identity and SIM
  const deviceCaps = (): ResponseOf<typeof bc.deviceCaps> => ({
    deviceType: DeviceType.names.embedded,
    cellularClass: CellularClass.names.gsm,
    voiceClass: VoiceClass.names['no-voice'],
    simClass: SimClass.names.removable,
    // Every generation up to the modem's own.
    dataClass: DATA_CLASS_OF.gsm | DATA_CLASS_OF.umts | DATA_CLASS_OF.lte | (fw.rat === '5gnr' ? DATA_CLASS_OF['5gnr'] : 0),
    smsCaps: SmsCaps.names['pdu-receive'] | SmsCaps.names['pdu-send'],
    controlCaps: CtrlCaps.names['reg-manual'],
    maxSessions: fw.config.maxSessions,
    customDataClass: '',
    deviceId: fw.identity.imei,
    firmwareInfo: fw.identity.revision,
    hardwareInfo: fw.identity.model,
  });
  ep.query(bc.deviceCaps, deviceCaps);
  // The one executor's; MBIMEx 3.0 adds the radio's bands (WCDMA as a bitmask, bit n for band n + 1) and its 5G mode.
  ep.queryVersions([ext.deviceCaps, ext.deviceCapsV3], () => {
    const bands = fw.radio.capabilities.bands;
    return {
      ...deviceCaps(),
      executorIndex: 0,
      dataSubclass: BigInt(fw.rat === '5gnr' ? DataSubclass.names['5g-endc'] : DataSubclass.names.none),
      wcdmaBandClass: bands.utra.reduce((mask, band) => (mask | (1 << (band - 1))) >>> 0, 0),
      lteBandClass: bands.eutra,
      nrBandClass: bands.nr,
    };
  });
  const subscriberReadyStatus = (): ResponseOf<typeof bc.subscriberReadyStatus> & ResponseOf<typeof bcx.subscriberReadyStatusV3> => {
    const ready = fw.simState === 'ready';
    const card = fw.slots[fw.activeSlot - 1];
    return {
      // MBIMEx 3.0: the first slot's card is removable, the second slot's is soldered (an eUICC).
      flags: card?.kind === 'euicc' ? SubscriberReadyStatusFlag.names.esim | SubscriberReadyStatusFlag.names['sim-removability-known'] : SubscriberReadyStatusFlag.names['sim-removability-known'] | SubscriberReadyStatusFlag.names['sim-removable'],
      readyState: ready ? SubscriberReadyState.names.initialized : fw.simState === 'absent' ? SubscriberReadyState.names['sim-not-inserted'] : SubscriberReadyState.names['device-locked'],
      // A locked SIM shows its ICCID but not the IMSI or numbers.
      subscriberId: ready ? fw.identity.imsi : '',
      simIccId: fw.simState === 'absent' ? '' : fw.identity.iccid,
      readyInfo: ReadyInfoFlag.names.none,
      telephoneNumbers: ready ? [fw.identity.msisdn] : [],
    };
  };
  ep.queryVersions([bc.subscriberReadyStatus, bcx.subscriberReadyStatusV3], subscriberReadyStatus);

  ep.query(bc.homeProvider, () => {
    requireSim();
    return { providerId: fw.home.mcc + fw.home.mnc, providerState: ProviderState.names.home, providerName: fw.home.name, cellularClass: CellularClass.names.gsm, rssi: 99, errorRate: 99 };
  });

  // ---- Radio, registration, packet service, signal
  const radioState = () => ({ hwRadioState: RadioSwitchState.names.on, swRadioState: fw.operatingMode === 'online' ? RadioSwitchState.names.on : RadioSwitchState.names.off });
  ep.query(bc.radioState, radioState);
  ep.set(bc.radioState, (v) => {
    fw.setOperatingMode(v.radioState === RadioSwitchState.names.on ? 'online' : 'low-power');
    return radioState();
  });

  const registerState = (): ResponseOf<typeof bcx.registerStateV2> => {
    const reg = fw.registration;
    const state = { home: 'home', roaming: 'roaming', searching: 'searching', denied: 'denied', idle: 'deregistered' } as const;
    const registered = fw.registered;
    return {
      nwError: registrationNwError(fw),
      registerState: RegisterState.names[state[reg]],
      registerMode: fw.radio.selection.mode === 'manual' ? RegisterMode.names.manual : RegisterMode.names.automatic,
      availableDataClasses: dataClass(),
      currentCellularClass: CellularClass.names.gsm,
      providerId: registered ? fw.operator.mcc + fw.operator.mnc : '',
      providerName: registered ? fw.operator.name : '',
      roamingText: fw.roaming && registered ? 'roaming' : '',
      registrationFlag: RegistrationFlag.names['packet-service-automatic-attach'],
      // MBIMEx 2.0: what the host allowed with Register State's data class (every technology by default).
      preferredDataClasses: fw.radio.preferences.allowed.reduce((a, rat) => a | DATA_CLASS_OF[rat], 0),
    };
  };
  const registerStates = [bc.registerState, bcx.registerStateV2] as const;
  ep.queryVersions(registerStates, registerState);
  ep.setVersions(registerStates, (v) => {
    try {
      registerWith(fw, v);
    } catch (e) {
      if (e instanceof RegistrationFailure) throw fail(MbimStatus.Failure, registerState());
      throw e;
    }
    return registerState();
  });

  const packetService = (): ResponseOf<typeof bc.packetService> & ResponseOf<typeof bcx.packetServiceV2> & ResponseOf<typeof bcx.packetServiceV3> => {
    const on = fw.packetAttached;
    const serving = fw.registered ? fw.radio.cellInfo()?.serving : undefined;
    return {
      nwError: 0,
      packetServiceState: on ? PacketServiceState.names.attached : PacketServiceState.names.detached,
      highestAvailableDataClass: dataClass(),
      // MBIMEx 3.0 has one 5G bit where 1.0 has 5G NSA: the same bit; the subclass says NSA (EN-DC).
      highestAvailableDataClassV3: dataClass(),
      uplinkSpeed: on ? 50_000_000n : 0n,
      downlinkSpeed: on ? 150_000_000n : 0n,
      frequencyRange: fw.registered ? FrequencyRange.names['1'] : FrequencyRange.names.unknown,
      dataSubclass: fw.registered && fw.rat === '5gnr' ? DataSubclass.names['5g-endc'] : DataSubclass.names.none,
      tai: {
        ...(fw.registered ? bcdPlmn(fw.operator.mcc, fw.operator.mnc) : { plmnMcc: 0, plmnMnc: 0 }),
        tac: serving && (serving.rat === 'lte' || serving.rat === '5gnr') ? serving.areaCode : 0,
      },
    };
  };
  const packetServices = [bc.packetService, bcx.packetServiceV2, bcx.packetServiceV3] as const;
  ep.queryVersions(packetServices, packetService);
  ep.setVersions(packetServices, (v) => {
    if (fw.operatingMode !== 'online') throw fail(MbimStatus.RadioPowerOff);
    if (v.packetServiceAction === 0) {
      if (!fw.registered) throw fail(MbimStatus.NotRegistered);
      fw.setPacketAttach(true);
    } else {
      // Detaching ends every PDN.
      for (const c of contexts.values()) fw.stopSession(c.handle, 'host');
      fw.setPacketAttach(false);
    }
    return packetService();
  });

  const index = (v: number, max: number): number => Math.max(0, Math.min(max, Math.round(v)));
  // 0–31 with dBm = −113 + 2·rssi; 99: unknown.
  const csqRssi = (): number => (fw.registered ? index((fw.signal.rssi + 113) / 2, 31) : 99);
  const signalState = (): ResponseOf<typeof bcx.signalStateV2> => ({
    rssi: csqRssi(),
    errorRate: 99,
    ...signalConfig,
    // MBIMEx 2.0: RSRP (dBm = −157 + index) and SNR (dB = −23.5 + index / 2) of the LTE or NR system served.
    rsrpSnr:
      fw.registered && (fw.rat === 'lte' || fw.rat === '5gnr')
        ? [{ rsrp: index(fw.signal.rsrp + 157, 126), snr: index((fw.signal.snr + 23.5) * 2, 127), rsrpThreshold: 0, snrThreshold: 0, systemType: DATA_CLASS_OF[fw.rat] }]
        : [],
  });
  const signalStates = [bc.signalState, bcx.signalStateV2] as const;
  ep.queryVersions(signalStates, signalState);
  ep.setVersions(signalStates, (v) => {
    Object.assign(signalConfig, v);
    clearInterval(signalTimer);
    signalTimer = undefined;
    // A reporting interval makes the radio measure (and the function notify) that often.
    if (v.signalStrengthInterval > 0) {
      signalTimer = setInterval(() => fw.tickSignal(), v.signalStrengthInterval * 1000);
      signalTimer.unref();
    }
    return signalState();
  });

  // The radio measures LTE only: UMTS's RSCP and Ec/No are unknown (255).
  ep.query(atds.cids.signal, () => {
    const s = fw.signal;
    const on = fw.registered;
    return {
      rssi: csqRssi(),
      errorRate: 99,
      rscp: 255,
      ecno: 255,
      rsrq: on ? index((s.rsrq + 19.5) * 2, 34) : 255,
      rsrp: on ? index(s.rsrp + 140, 97) : 255,
      rssnr: on ? index(s.snr + 5, 35) : 255,
    };
  });

  serveMbimSms(ep, fw);

  // ---- Connect and IP configuration
  const contextInfo = (sessionId: number, c: Context | undefined, nwError = 0): ResponseOf<typeof bcx.connectV3> => ({
    sessionId,
    activationState: c ? ActivationState.names.activated : ActivationState.names.deactivated,
    voiceCallState: VoiceCallState.names.none,
    ipType: c?.ipType ?? ContextIpType.names.default,
    contextType: c?.contextType ?? ContextType.none,
    nwError,
    // MBIMEx 3.0: cellular only; the APN the session is up on.
    mediaPreference: c ? AccessMediaType.names['3gpp'] : AccessMediaType.names.unknown,
    accessString: c?.accessString ?? '',
    unnamedIes: new Uint8Array(0),
  });
  const activeContext = (sessionId: number): Context | undefined => {
    const c = contexts.get(sessionId);
    return c && fw.sessions.has(c.handle) ? c : undefined;
  };
  const connects = [bc.connect, bcx.connectV3] as const;
  ep.setVersions(connects, (v) => {
    const { sessionId } = v;
    if (v.activationCommand === 0) {
      const c = activeContext(sessionId);
      if (!c) throw fail(MbimStatus.ContextNotActivated, contextInfo(sessionId, undefined));
      fw.stopSession(c.handle, 'host');
      return contextInfo(sessionId, undefined);
    }
    if (sessionId >= fw.config.maxSessions) throw fail(MbimStatus.InvalidParameters, contextInfo(sessionId, undefined));
    if (activeContext(sessionId)) throw fail(MbimStatus.Busy, contextInfo(sessionId, activeContext(sessionId)));
    if (fw.operatingMode === 'online' && fw.registered && !fw.packetAttached) throw fail(MbimStatus.PacketServiceDetached, contextInfo(sessionId, undefined));
    const policy = fw.config.apns.find((a) => a.name.toLowerCase() === v.accessString.toLowerCase());
    const family = familyFor(v.ipType, policy?.families);
    let session: Session;
    try {
      session = fw.startSession({ apn: v.accessString, family, linkId: sessionId });
    } catch (e) {
      if (!(e instanceof FirmwareError)) throw e;
      const r = REFUSALS[e.reason];
      // A v4-only APN refuses IPv6 with cause 50, a v6-only one IPv4 with 51.
      const nwError = e.reason === 'ip-family-not-allowed' && policy?.families.every((f) => f === 'ipv6') ? 51 : r.nwError;
      throw fail(r.status, { ...contextInfo(sessionId, undefined, nwError), ipType: v.ipType, contextType: v.contextType });
    }
    const c: Context = { handle: session.handle, ipType: v.ipType === ContextIpType.names.default ? ipTypeOf(family) : v.ipType, contextType: v.contextType, accessString: v.accessString };
    contexts.set(sessionId, c);
    return contextInfo(sessionId, c);
  });
  ep.queryVersions(connects, (v) => contextInfo(v.sessionId, activeContext(v.sessionId)));

  ep.query(bc.ipConfiguration, (v) => {
    const c = activeContext(v.sessionId);
    const s = c && fw.sessions.get(c.handle);
    // An open DSS session has no IP, but is there: mbimcli asks right after DSS Connect.
    if (!s && dssServices.sessions.has(v.sessionId)) return { ...v, ipv4ConfigurationAvailable: 0, ipv6ConfigurationAvailable: 0, ipv4Address: [], ipv6Address: [], ipv4Gateway: undefined, ipv6Gateway: undefined, ipv4DnsServer: [], ipv6DnsServer: [], ipv4Mtu: 0, ipv6Mtu: 0 };
    if (!s) throw fail(MbimStatus.ContextNotActivated);
    const all = IpConfigurationAvailable.names.address | IpConfigurationAvailable.names.gateway | IpConfigurationAvailable.names.dns | IpConfigurationAvailable.names.mtu;
    return {
      sessionId: v.sessionId,
      ipv4ConfigurationAvailable: s.ipv4 ? all : 0,
      ipv6ConfigurationAvailable: s.ipv6 ? all : 0,
      ipv4Address: s.ipv4 ? [{ onLinkPrefixLength: s.ipv4.prefix, address: s.ipv4.address }] : [],
      ipv6Address: s.ipv6 ? [{ onLinkPrefixLength: s.ipv6.prefix, address: s.ipv6.address }] : [],
      ipv4Gateway: s.ipv4?.gateway,
      ipv6Gateway: s.ipv6?.gateway,
      ipv4DnsServer: s.ipv4?.dns ?? [],
      ipv6DnsServer: s.ipv6?.dns ?? [],
      ipv4Mtu: s.ipv4 ? s.mtu : 0,
      ipv6Mtu: s.ipv6 ? s.mtu : 0,
    };
  });

  // IP packet filters per session (MBIMEx 3.0 numbers them; an MBIM 1.0 host's get id 0), gone with the session.
  const filters = new Map<number, { packetFilter: Uint8Array; packetMask: Uint8Array; filterId: number }[]>();
  const filterVersions = [bc.ipPacketFilters, bcx.ipPacketFiltersV3] as const;
  const sessionFilters = (sessionId: number) => {
    if (sessionId >= fw.config.maxSessions) throw fail(MbimStatus.InvalidParameters);
    return { sessionId, packetFilters: filters.get(sessionId) ?? [] };
  };
  ep.queryVersions(filterVersions, (v) => sessionFilters(v.sessionId));
  // A network packet a session's filter matches (its bytes under the mask equal the filter's) is what wakes a host.
  const wakeOnPacket = (s: Session, packet: Uint8Array): void => {
    const hit = (filters.get(s.linkId) ?? []).find((f) => f.packetFilter.length <= packet.length && f.packetFilter.every((b, i) => (packet[i]! & f.packetMask[i]!) === (b & f.packetMask[i]!)));
    if (hit) packetWake(s.linkId, hit.filterId, packet);
  };
  data.networkPacketListeners.add(wakeOnPacket);
  ep.setVersions(filterVersions, (v) => {
    sessionFilters(v.sessionId);
    filters.set(
      v.sessionId,
      v.packetFilters.map((f) => ({ packetFilter: Uint8Array.from(f.packetFilter), packetMask: Uint8Array.from(f.packetMask), filterId: 'filterId' in f ? f.filterId : 0 })),
    );
    return sessionFilters(v.sessionId);
  });
  // No operator activation procedure on this network: accepted, nothing to report back.
  ep.set(bc.serviceActivation, () => ({ nwError: 0, buffer: new Uint8Array(0) }));

  ep.query(bc.packetStatistics, () => {
    // "In" is what the function delivered to the host (downlink), "out" what the host sent.
    let inOctets = 0n, inPackets = 0n, outOctets = 0n, outPackets = 0n;
    for (const c of data.counters.values()) {
      inOctets += BigInt(c.txBytes);
      inPackets += BigInt(c.txPackets);
      outOctets += BigInt(c.rxBytes);
      outPackets += BigInt(c.rxPackets);
    }
    return { inDiscards: 0, inErrors: 0, inOctets, inPackets, outOctets, outPackets, outErrors: 0, outDiscards: 0 };
  });

  // ---- Device services, subscriptions, DSS, version
  // Every CID a handler answers (derived from the handlers: it cannot drift), then the DSS services.
  ep.query(bc.deviceServices, () => ({
    maxDssSessions: MAX_DSS_SESSIONS,
    deviceServices: [
      ...[...ep.answeredCids(fw.config.mbimex ?? MBIM_VERSION)].map(([deviceServiceId, cids]) => ({ deviceServiceId, dssPayload: 0, maxDssInstances: 0, cids })),
      ...Object.values(DSS_SERVICES).map((s) => ({ deviceServiceId: s.uuid, dssPayload: 1, maxDssInstances: s.maxInstances, cids: [] })),
    ],
  }));
  ep.set(bc.deviceServiceSubscribeList, (v, ctx) => {
    ctx.connection.subscriptions = new Map(v.events.map((e) => [e.deviceServiceId, new Set(e.cids)]));
    return v;
  });
  ep.set(dss.cids.connect, (v) => {
    const refusal = v.dssLinkState === DssLinkState.names.activate ? dssServices.connect(v.deviceServiceId, v.dssSessionId) : dssServices.disconnect(v.deviceServiceId, v.dssSessionId);
    if (refusal) throw fail(DSS_REFUSALS[refusal]);
    return {};
  });
  // The lower of the host's MBIMEx and ours is what this host's messages use from now on.
  ep.query(msBasicConnectExtensions.cids.version, (v, ctx) => {
    const agreed = Math.max(MBIM_VERSION, Math.min(v.mbimExtendedVersion, fw.config.mbimex ?? MBIM_VERSION));
    ctx.connection.mbimex = agreed;
    return { mbimVersion: MBIM_VERSION, mbimExtendedVersion: agreed };
  });
  serveUicc(ep, fw);
  serveMbimRadio(ep, fw);
  serveMbimContexts(ep, fw);
  const packetWake = serveMbimMsV3(ep, fw);
  serveMbimLteAttach(ep, fw);

  // ---- QMI over MBIM (Qualcomm-based functions): each connection is a client of the modem's QMI hub
  if (fw.config.qmiOverMbim !== false) serveQmiOverMbim(ep, parts.qmiHub);

  // ---- PCO: what the network sent with each session, its operator containers passed on (partial)
  const pcos = new Map<number, Uint8Array>();
  const pcoValue = (sessionId: number, data: Uint8Array) => ({ sessionId, pcoDataType: PcoType.names.partial, pcoDataBuffer: data });
  ep.query(ext.pco, (v) => {
    const c = activeContext(v.sessionId);
    const data = c && pcos.get(c.handle);
    if (!data) throw fail(MbimStatus.ContextNotActivated);
    return pcoValue(v.sessionId, data);
  });

  // ---- Notifications on state changes
  fw.on('operatingMode', () => ep.indicate(bc.radioState, radioState()));
  fw.on('registration', () => {
    ep.indicateVersions(registerStates, registerState());
    ep.indicateVersions(packetServices, packetService());
  });
  fw.on('signal', () => ep.indicateVersions(signalStates, signalState()));
  fw.on('sim', () => ep.indicateVersions([bc.subscriberReadyStatus, bcx.subscriberReadyStatusV3], subscriberReadyStatus()));
  // After the COMMAND_DONE that caused them, as a function answers first and notifies after.
  fw.on('sessionUp', (s) => {
    pcos.set(s.handle, operatorPco(networkPco(fw.operator, s)));
    setImmediate(() => {
      const c = activeContext(s.linkId);
      if (c?.handle !== s.handle) return;
      ep.indicateVersions(connects, contextInfo(s.linkId, c));
      ep.indicate(ext.pco, pcoValue(s.linkId, pcos.get(s.handle)!));
    });
  });
  fw.on('sessionDown', (s) => {
    pcos.delete(s.handle);
    if (contexts.get(s.linkId)?.handle !== s.handle) return;
    contexts.delete(s.linkId);
    filters.delete(s.linkId);
    setImmediate(() => ep.indicateVersions(connects, contextInfo(s.linkId, undefined)));
  });
  fw.on('reset', () => {
    dssServices.closeAll();
    ep.reset();
  });

  return {
    close() {
      clearInterval(signalTimer);
      data.networkPacketListeners.delete(wakeOnPacket);
      dssServices.closeAll();
    },
  };
}

function familyFor(ipType: number, allowed: readonly IpFamily[] | undefined): IpFamily {
  if (ipType === ContextIpType.names.ipv4) return 'ipv4';
  if (ipType === ContextIpType.names.ipv6) return 'ipv6';
  if (ipType === ContextIpType.names.default && allowed && !allowed.includes('ipv4v6')) return allowed[0] ?? 'ipv4';
  return 'ipv4v6';
}

const ipTypeOf = (f: IpFamily): number => ContextIpType.names[f];

const qmuxKey = (f: { service: number; clientId: number; transaction: number }): string =>
  f.service === QMI_SERVICE_CTL ? `ctl:${f.transaction}` : `${f.service}:${f.clientId}:${f.transaction}`;

/** QMI over MBIM: each connection's QMUX frames go to the modem's QMI hub as a client of its own. */
function serveQmiOverMbim(ep: MbimDeviceEndpoint, hub: QmuxHub): void {
  ep.optInServices.add(qmi.uuid);
  const tunnels = new WeakMap<MbimConnection, (frame: Uint8Array) => Promise<Uint8Array>>();
  const tunnelOf = (conn: MbimConnection): ((frame: Uint8Array) => Promise<Uint8Array>) => {
    let t = tunnels.get(conn);
    if (t) return t;
    const toModem: ((frame: Uint8Array) => void)[] = [];
    // Responses match their request by service, client id and transaction (the hub restores CTL's).
    const waiting = new Map<string, (frame: Uint8Array) => void>();
    const port: QmuxPort = {
      description: `${conn.transport.description} (QMI over MBIM)`,
      get closed() {
        return conn.closed;
      },
      send(frame) {
        const d = decodeQmux(frame);
        if (!d.ok) return;
        if (d.value.type === 'indication') return ep.indicateTo(conn, qmi.cids.msg, { qmiMsg: frame });
        const key = qmuxKey(d.value);
        waiting.get(key)?.(frame);
        waiting.delete(key);
      },
      onFrame: (l) => void toModem.push(l),
      onClose: (l) => conn.onClose(() => l()),
      close: async () => undefined,
    };
    hub.attach(port);
    t = (frame) => {
      const d = decodeQmux(frame);
      if (!d.ok || d.value.type !== 'request') return Promise.reject(fail(MbimStatus.InvalidParameters));
      const key = qmuxKey(d.value);
      const answered = new Promise<Uint8Array>((resolve) => waiting.set(key, resolve));
      for (const l of toModem) l(frame);
      return answered;
    };
    tunnels.set(conn, t);
    return t;
  };
  ep.set(qmi.cids.msg, async (v, ctx) => ({ qmiMsg: await tunnelOf(ctx.connection)(v.qmiMsg) }));
}
