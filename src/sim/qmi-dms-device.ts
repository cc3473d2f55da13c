/**
 * DMS beyond identity and operating mode: the device clock and power, the software version, the
 * service programming code, and the legacy UIM operations (PIN status and PIN operations, ICCID,
 * IMSI, card state) that older hosts send to DMS instead of UIM. The PIN operations act on the same
 * card locks UIM uses, so either service sees the other's changes.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { dms, DmsPowerState, DmsTimeSource, DmsUimFacility, DmsUimFacilityState, DmsUimPinId, DmsUimState } from '../qmi/services/dms.js';
import type { ModemFirmware, SimState } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import type { PersonalizationFeature } from './personalization.js';
import { DEPERSONALIZATION_ERROR, PIN_ERROR } from './qmi-uim.js';
import type { SimLockId } from './sim-card.js';

const fail = (code: number, values: Record<string, unknown> = {}): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', values);

/** The GPS epoch (1980-01-06T00:00:00Z) in Unix milliseconds, and GPS time's lead over UTC (leap seconds since then). */
const GPS_EPOCH_MS = Date.UTC(1980, 0, 6);
const GPS_LEAP_MS = 18_000;

/** The DMS facilities (AT+CLCK's PN, PU, PP, PC, PF) as the personalization features they lock. */
const FACILITY_FEATURE: Record<number, PersonalizationFeature> = {
  [DmsUimFacility.names.pn]: 'gw-network',
  [DmsUimFacility.names.pu]: 'gw-network-subset',
  [DmsUimFacility.names.pp]: 'gw-service-provider',
  [DmsUimFacility.names.pc]: 'gw-corporate',
  [DmsUimFacility.names.pf]: 'gw-ue',
};

const UIM_STATE: Record<SimState, number> = {
  ready: DmsUimState.names['initialization-completed'],
  'pin-required': DmsUimState.names['locked-or-failed'],
  'puk-required': DmsUimState.names['locked-or-failed'],
  blocked: DmsUimState.names['locked-or-failed'],
  absent: DmsUimState.names['not-present'],
};

export function serveQmiDmsDevice(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const d = dms.messages;
  const spc = (): string => fw.config.spc ?? '000000';

  ep.handle(d.getTime, () => {
    // GPS time: the count is in 1.25 ms units (48 bits), the system time in ms.
    const gpsMs = (fw.config.wallClock ?? Date.now)() - GPS_EPOCH_MS + GPS_LEAP_MS;
    const count = Math.floor(gpsMs / 1.25);
    return {
      deviceTime: { timeCountLow: count % 2 ** 32, timeCountHigh: Math.floor(count / 2 ** 32), timeSource: DmsTimeSource.names.device },
      systemTime: BigInt(Math.floor(gpsMs)),
    };
  });
  // A USB modem runs on the host's power: no battery.
  ep.handle(d.getPowerState, () => ({ info: { powerStateFlags: DmsPowerState.names['external-source'], batteryLevel: 0 } }));
  ep.handle(d.getSoftwareVersion, () => ({ version: fw.identity.revision }));
  ep.handle(d.validateServiceProgrammingCode, (v) => {
    if (v.serviceProgrammingCode !== spc()) throw fail(QmiProtocolError.AuthenticationFailed);
    return {};
  });
  // Event reporting is the only per-client DMS state, and the simulator sends its indications to every client.
  ep.handle(d.reset, () => ({}));

  // ---- Legacy UIM: the active slot's card.
  const card = () => {
    const c = fw.card;
    if (!c || fw.simState === 'absent') throw fail(QmiProtocolError.UimUninitialized);
    return c;
  };
  ep.handle(d.uimGetState, () => ({ state: UIM_STATE[fw.simState] }));
  ep.handle(d.uimGetIccid, () => ({ iccid: card().iccid }));
  // The IMSI is on a file the PIN guards.
  ep.handle(d.uimGetImsi, () => {
    const c = card();
    if (fw.simState !== 'ready') throw fail(QmiProtocolError.PinRestriction);
    return { imsi: c.imsi };
  });

  /** Runs a PIN operation on the active card; a failure carries the retries left, as modems send them. */
  const pinOperation = (pinId: number, op: Parameters<ModemFirmware['simLock']>[1]) => {
    const lock: SimLockId | undefined = pinId === DmsUimPinId.names.pin ? 'pin1' : pinId === DmsUimPinId.names.pin2 ? 'pin2' : undefined;
    if (!lock) throw fail(QmiProtocolError.InvalidPinId);
    card();
    const r = fw.simLock(lock, op);
    if (!r) throw fail(QmiProtocolError.UimUninitialized);
    if (r.outcome !== 'ok') throw fail(PIN_ERROR[r.outcome], { pinRetriesStatus: { verifyRetriesLeft: r.retries, unblockRetriesLeft: r.unblockRetries } });
    return {};
  };
  ep.handle(d.uimVerifyPin, (v) => pinOperation(v.info.pinId, { verify: v.info.pin }));
  ep.handle(d.uimUnblockPin, (v) => pinOperation(v.info.pinId, { unblock: v.info.puk, newCode: v.info.newPin }));
  ep.handle(d.uimChangePin, (v) => pinOperation(v.info.pinId, { change: v.info.oldPin, newCode: v.info.newPin }));
  ep.handle(d.uimSetPinProtection, (v) => pinOperation(v.info.pinId, { enable: v.info.protectionEnabled, code: v.info.pin }));

  // ---- Personalization (the same features UIM depersonalizes): a feature not configured is deactivated.
  const feature = (facility: number): PersonalizationFeature => {
    const f = FACILITY_FEATURE[facility];
    if (!f) throw fail(QmiProtocolError.InvalidArgument);
    return f;
  };
  ep.handle(d.uimGetCkStatus, (v) => {
    if (fw.simState === 'absent') throw fail(QmiProtocolError.UimUninitialized);
    const s = fw.personalization.status().find((x) => x.feature === feature(v.facility));
    const S = DmsUimFacilityState.names;
    const state = !s ? S.deactivated : s.verifyLeft === 0 ? S.blocked : S.activated;
    return { ckStatus: { facilityState: state, verifyRetriesLeft: s?.verifyLeft ?? 0, unblockRetriesLeft: s?.unblockLeft ?? 0 }, operationBlockingFacility: state !== S.deactivated };
  });
  ep.handle(d.uimSetCkProtection, (v) => {
    // Only deactivation exists: a host cannot lock a modem to a network.
    if (v.facility.facilityState !== DmsUimFacilityState.names.deactivated) throw fail(QmiProtocolError.InvalidArgument);
    const r = fw.personalization.depersonalize(feature(v.facility.facility), 'deactivate', v.facility.key);
    if (r.outcome !== 'ok') throw fail(DEPERSONALIZATION_ERROR[r.outcome], r.status ? { verifyRetriesLeft: r.status.verifyLeft } : {});
    return {};
  });
  ep.handle(d.uimUnblockCk, (v) => {
    const r = fw.personalization.depersonalize(feature(v.facility.facility), 'unblock', v.facility.key);
    if (r.outcome !== 'ok') throw fail(DEPERSONALIZATION_ERROR[r.outcome], r.status ? { unblockRetriesLeft: r.status.unblockLeft } : {});
    return {};
  });
}
