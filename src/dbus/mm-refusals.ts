/**
 * Methods wwankit's modems cannot carry out, checked and refused as ModemManager 1.20 does
 * (mm-iface-modem.c, mm-iface-modem-3gpp.c, mm-base-sim.c): the same checks in the same order, the
 * same error names and messages, so a client's handling of ModemManager's answers holds for ours.
 */
import dbus from 'dbus-next';
import { MmError, Modem3gppFacility } from './mm-enums.js';

const unsupported = (message: string): dbus.DBusError => new dbus.DBusError(MmError.unsupported, message);

/** Modem.SetCurrentCapabilities: the current combination is accepted as is; wwankit's modems offer one combination. */
export function setCapabilities(supported: number[], current: number, wanted: number): void {
  if (supported.length === 1) throw unsupported('Cannot change capabilities: only one combination supported');
  if (!supported.includes(wanted)) throw unsupported('The given combination of capabilities is not supported');
  if (wanted !== current) throw unsupported('Setting current capabilities not supported');
}

/** Modem3gpp.SetEpsUeModeOperation: the current mode is accepted; changing it is not implemented for QMI or MBIM modems in ModemManager 1.20. */
export function setEpsUeMode(current: number, wanted: number): void {
  if (wanted !== current) throw unsupported('Cannot set UE mode of operation for EPS: operation not supported');
}

const PERSONALIZATION = Modem3gppFacility.netPers | Modem3gppFacility.netSubPers | Modem3gppFacility.providerPers | Modem3gppFacility.corpPers;

/**
 * Modem3gpp.DisableFacilityLock, checked as ModemManager does before asking the modem: only the four
 * personalization facilities; no facility or several of them pass there and the modem's own mapping
 * (QMI's feature, MBIM's PIN type) refuses them with the same words. Answers the one facility.
 */
export function facilityToDisable([facility]: [number, string]): number {
  if ((facility & ~PERSONALIZATION) !== 0) throw unsupported('Invalid type of facility lock to disable or empty key');
  if (facility === 0 || (facility & (facility - 1)) !== 0) throw new dbus.DBusError(MmError.invalidArgs, 'Not supported type of facility lock.');
  return facility;
}

/** Modem3gpp.SetNr5gRegistrationSettings on a modem without them (QMI, MBIM 1.0): ModemManager 1.20 has them for MBIMEx v3 modems only. */
export function setNr5gRegistrationSettings(): never {
  throw unsupported('Cannot set 5GNR registration settings: operation not supported');
}

/** Sim.SetPreferredNetworks on a SIM that is not the active one: ModemManager refuses it first. */
export function setPreferredNetworks(): never {
  throw unsupported('Cannot set preferred networks: SIM not currently active');
}
