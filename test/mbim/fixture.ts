/** Full answers for every Basic Connect and DSS command the mbimcli tests use (every field set). */
import { ContextType } from '../../src/mbim/context-types.js';
import { basicConnect } from '../../src/mbim/services/basic-connect.js';
import { dss } from '../../src/mbim/services/dss.js';
import { atds } from '../../src/mbim/services/atds.js';
import { msBasicConnectExtensions } from '../../src/mbim/services/ms-basic-connect-extensions.js';
import { msVoiceExtensions } from '../../src/mbim/services/ms-voice-extensions.js';
import { key, type Answer } from './peer.js';

const c = basicConnect.cids;
const ext = msBasicConnectExtensions.cids;
const bc = (id: number): string => key(basicConnect.uuid, id);

export const ipConfiguration = c.ipConfiguration.response.encode({
  sessionId: 0,
  ipv4ConfigurationAvailable: 15,
  ipv6ConfigurationAvailable: 15,
  ipv4Address: [{ onLinkPrefixLength: 30, address: '10.64.12.2' }],
  ipv6Address: [{ onLinkPrefixLength: 64, address: '2001:db8:1:2::5' }],
  ipv4Gateway: '10.64.12.1',
  ipv6Gateway: '2001:db8:1:2::1',
  ipv4DnsServer: ['10.1.1.1', '0.0.0.0', '10.1.1.2'],
  ipv6DnsServer: ['2001:db8::53'],
  ipv4Mtu: 1500,
  ipv6Mtu: 1428,
});

const connectState = c.connect.response.encode({
  sessionId: 0, activationState: 1, voiceCallState: 0, ipType: 3, contextType: ContextType.internet, nwError: 0,
});

export const fixture: Record<string, Answer> = {
  [bc(c.deviceCaps.id)]: {
    buffer: c.deviceCaps.response.encode({
      deviceType: 1, cellularClass: 1, voiceClass: 1, simClass: 2, dataClass: 0x3c | 0x40, smsCaps: 3, controlCaps: 3,
      maxSessions: 8, customDataClass: '', deviceId: '490154203237518', firmwareInfo: 'WK1.0.0', hardwareInfo: 'SIM-MBIM',
    }),
  },
  [bc(c.subscriberReadyStatus.id)]: {
    buffer: c.subscriberReadyStatus.response.encode({
      readyState: 1, subscriberId: '001010123456789', simIccId: '8901001012345678901', readyInfo: 0, telephoneNumbers: ['+15555550100', '+15555550101'],
    }),
  },
  [bc(c.radioState.id)]: { buffer: c.radioState.response.encode({ hwRadioState: 1, swRadioState: 0 }) },
  [bc(c.pin.id)]: { buffer: c.pin.response.encode({ pinType: 2, pinState: 0, remainingAttempts: 3 }) },
  [bc(c.homeProvider.id)]: {
    buffer: c.homeProvider.response.encode({ providerId: '00101', providerState: 1 | 16, providerName: 'wwankit', cellularClass: 1, rssi: 20, errorRate: 0 }),
  },
  [bc(c.registerState.id)]: {
    buffer: c.registerState.response.encode({
      nwError: 0, registerState: 3, registerMode: 1, availableDataClasses: 0x20, currentCellularClass: 1,
      providerId: '00101', providerName: 'wwankit', roamingText: '', registrationFlag: 2,
    }),
  },
  [bc(c.signalState.id)]: {
    buffer: c.signalState.response.encode({ rssi: 20, errorRate: 99, signalStrengthInterval: 5, rssiThreshold: 0, errorRateThreshold: 0xffffffff }),
  },
  [bc(c.packetService.id)]: {
    buffer: c.packetService.response.encode({ nwError: 0, packetServiceState: 2, highestAvailableDataClass: 0x20, uplinkSpeed: 50_000_000n, downlinkSpeed: 150_000_000n }),
  },
  [bc(c.connect.id)]: { buffer: connectState },
  [bc(c.ipConfiguration.id)]: { buffer: ipConfiguration },
  [bc(c.deviceServices.id)]: {
    buffer: c.deviceServices.response.encode({
      maxDssSessions: 1,
      deviceServices: [
        { deviceServiceId: basicConnect.uuid, dssPayload: 0, maxDssInstances: 0, cids: [1, 2, 3, 12, 15] },
        { deviceServiceId: dss.uuid, dssPayload: 1, maxDssInstances: 1, cids: [1] },
        { deviceServiceId: '01234567-89ab-cdef-0123-456789abcdef', dssPayload: 0, maxDssInstances: 0, cids: [7, 8] },
      ],
    }),
  },
  [bc(c.packetStatistics.id)]: {
    buffer: c.packetStatistics.response.encode({
      inDiscards: 1, inErrors: 2, inOctets: 123456789012n, inPackets: 1000n, outOctets: 5555n, outPackets: 77n, outErrors: 3, outDiscards: 4,
    }),
  },
  [key(dss.uuid, dss.cids.connect.id)]: {},
  [bc(c.pinList.id)]: {
    buffer: c.pinList.response.encode({
      pin1: { pinMode: 1, pinFormat: 1, pinLengthMin: 4, pinLengthMax: 8 },
      pin2: { pinMode: 2, pinFormat: 1, pinLengthMin: 4, pinLengthMax: 8 },
      deviceSimPin: { pinMode: 0, pinFormat: 0, pinLengthMin: 0, pinLengthMax: 0 },
      deviceFirstSimPin: { pinMode: 0, pinFormat: 2, pinLengthMin: 0, pinLengthMax: 0xffffffff },
      networkPin: { pinMode: 7, pinFormat: 9, pinLengthMin: 1, pinLengthMax: 2 },
      networkSubsetPin: { pinMode: 0, pinFormat: 0, pinLengthMin: 0, pinLengthMax: 0 },
      serviceProviderPin: { pinMode: 0, pinFormat: 0, pinLengthMin: 0, pinLengthMax: 0 },
      corporatePin: { pinMode: 0, pinFormat: 0, pinLengthMin: 0, pinLengthMax: 0 },
      subsidyLock: { pinMode: 0, pinFormat: 0, pinLengthMin: 0, pinLengthMax: 0 },
      custom: { pinMode: 1, pinFormat: 2, pinLengthMin: 6, pinLengthMax: 16 },
    }),
  },
  [bc(c.preferredProviders.id)]: { buffer: c.preferredProviders.response.encode({ providers: [] }) },
  [bc(c.visibleProviders.id)]: {
    buffer: c.visibleProviders.response.encode({
      providers: [
        { providerId: '00101', providerState: 1 | 8 | 16, providerName: 'wwankit', cellularClass: 1, rssi: 20, errorRate: 0 },
        { providerId: '00102', providerState: 2 | 8, providerName: '', cellularClass: 0, rssi: 99, errorRate: 99 },
        { providerId: '', providerState: 0x400, providerName: 'Étoile 😀', cellularClass: 3, rssi: 0xffffffff, errorRate: 7 },
      ],
    }),
  },
  [bc(c.networkIdleHint.id)]: { buffer: c.networkIdleHint.response.encode({ state: 1 }) },
  [bc(c.emergencyMode.id)]: { buffer: c.emergencyMode.response.encode({ state: 5 }) },
  [bc(c.provisionedContexts.id)]: {
    buffer: c.provisionedContexts.response.encode({
      provisionedContexts: [
        { contextId: 1, contextType: ContextType.internet, accessString: 'internet', userName: 'user', password: 'hunter2', compression: 0, authProtocol: 2 },
        { contextId: 7, contextType: '01234567-89ab-cdef-0123-456789abcdef', accessString: '', userName: '', password: '', compression: 9, authProtocol: 1 },
      ],
    }),
  },
  [bc(c.ipPacketFilters.id)]: {
    buffer: c.ipPacketFilters.response.encode({
      sessionId: 0,
      packetFilters: [
        { packetFilter: Uint8Array.of(0x45, 0, 0xab, 0xcd), packetMask: Uint8Array.of(0xff, 0, 0xff, 0xff) },
        { packetFilter: new Uint8Array(0), packetMask: new Uint8Array(0) },
      ],
    }),
  },
  [key(atds.uuid, atds.cids.signal.id)]: { buffer: atds.cids.signal.response.encode({ rssi: 17, errorRate: 3, rscp: 0, ecno: 23, rsrq: 34, rsrp: 51, rssnr: 99 }) },
  [key(atds.uuid, atds.cids.location.id)]: { buffer: atds.cids.location.response.encode({ lac: 0x12a, tac: 0x5678a, cellId: 0x1a2b3c }) },
  [key(msBasicConnectExtensions.uuid, ext.sysCaps.id)]: { buffer: ext.sysCaps.response.encode({ numberOfExecutors: 1, numberOfSlots: 2, concurrency: 1, modemId: 18446744073709551615n }) },
  [key(msBasicConnectExtensions.uuid, ext.deviceCaps.id)]: {
    buffer: ext.deviceCaps.response.encode({
      deviceType: 2, cellularClass: 1, voiceClass: 0, simClass: 1 | 2, dataClass: 0x20, smsCaps: 1, controlCaps: 1 | 32, maxSessions: 4,
      customDataClass: 'x', deviceId: '490154203237518', firmwareInfo: 'WK1', hardwareInfo: 'HW', executorIndex: 0,
    }),
  },
  [key(msBasicConnectExtensions.uuid, ext.slotInfoStatus.id)]: { buffer: ext.slotInfoStatus.response.encode({ slotIndex: 1, state: 7 }) },
  [key(msBasicConnectExtensions.uuid, ext.deviceSlotMappings.id)]: { buffer: ext.deviceSlotMappings.response.encode({ slotMap: [{ slot: 1 }, { slot: 0 }] }) },
  [key(msBasicConnectExtensions.uuid, ext.locationInfoStatus.id)]: { buffer: ext.locationInfoStatus.response.encode({ locationAreaCode: 0xab, trackingAreaCode: 0x5678, cellId: 0x1a2b00 }) },
  [key(msBasicConnectExtensions.uuid, ext.baseStationsInfo.id)]: {
    buffer: ext.baseStationsInfo.response.encode({
      systemType: 0x20,
      gsmServingCell: { providerId: '00101', locationAreaCode: 0x1234, cellId: 0x1000, timingAdvance: 0xffffffff, arfcn: 62, baseStationId: 5, rxLevel: 40 },
      umtsServingCell: undefined,
      tdscdmaServingCell: { providerId: '', locationAreaCode: 1, cellId: 2, uarfcn: 3, cellParameterId: 4, timingAdvance: 5, rscp: -1, pathLoss: 0xffffffff },
      lteServingCell: { providerId: '00101', cellId: 0x1a2b00, earfcn: 1575, physicalCellId: 17, tac: 0x5678, rsrp: -95, rsrq: -9, timingAdvance: 2 },
      gsmNeighboringCells: [],
      umtsNeighboringCells: [
        { providerId: '', locationAreaCode: 0xffffffff, cellId: 3, uarfcn: 3012, primaryScramblingCode: 14, rscp: 0, ecno: 1, pathLoss: 90 },
      ],
      tdscdmaNeighboringCells: [],
      // One neighbour each: mbimcli 1.28 reads every further one at the first one's place (fixed in libmbim 1.30).
      lteNeighboringCells: [{ providerId: '00102', cellId: 0xffffffff, earfcn: 6300, physicalCellId: 210, tac: 0xffffffff, rsrp: -1, rsrq: -12 }],
      cdmaCells: [],
    }),
  },
  [key(msBasicConnectExtensions.uuid, ext.lteAttachInfo.id)]: {
    buffer: ext.lteAttachInfo.response.encode({ lteAttachState: 1, ipType: 3, accessString: 'ims', userName: '', password: 'secret1', compression: 0, authProtocol: 0 }),
  },
  [key(msBasicConnectExtensions.uuid, ext.lteAttachConfiguration.id)]: {
    buffer: ext.lteAttachConfiguration.response.encode({
      configurations: [
        { ipType: 1, roaming: 0, source: 1, accessString: 'internet', userName: 'u', password: 'pw', compression: 0, authProtocol: 1 },
        { ipType: 9, roaming: 2, source: 3, accessString: '', userName: '', password: '', compression: 1, authProtocol: 3 },
      ],
    }),
  },
  [key(msVoiceExtensions.uuid, msVoiceExtensions.cids.nitz.id)]: {
    buffer: msVoiceExtensions.cids.nitz.response.encode({ year: 2026, month: 12, day: 4, hour: 9, minute: 5, second: 7, timeZoneOffsetMinutes: 60, daylightSavingTimeOffsetMinutes: 0, dataClass: 0x20 }),
  },
};
