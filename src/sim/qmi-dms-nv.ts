/**
 * DMS settings a modem keeps in non-volatile memory: the user lock and its code, the user data area,
 * the CDMA items multimode Qualcomm firmware carries even on a 3GPP network (PRL, ERI, service
 * activation), the boot image download mode, and fixed facts (factory SKU, MAC addresses, the
 * messages DMS answers). NV survives a reset: the state lives as long as the modem.
 */
import { QmiProtocolError, QmiProtocolErrorResponse } from '../qmi/errors.js';
import { dms, DmsActivationState, DmsBootImageDownloadMode, DmsMacType } from '../qmi/services/dms.js';
import type { ModemFirmware } from './firmware.js';
import type { QmiDeviceEndpoint } from './qmi-endpoint.js';
import { supportedMessages } from './qmi-supported.js';

const fail = (code: number): QmiProtocolErrorResponse => new QmiProtocolErrorResponse(code, 'simulated', {});

/** The user data area's size on the modem. */
export const USER_DATA_MAX = 128;
/** The factory SKU, as the modem's manufacturing data gives it. */
const FACTORY_SKU = '1104405';
const DEFAULT_PRL_VERSION = 15_041;
/** An ERI file with no entries: version 1, zero roaming indicators, zero call prompts. */
const ERI_FILE = Uint8Array.from([0x00, 0x01, 0x00, 0x00, 0x00, 0x00]);

/** A locally administered MAC from the IMEI's last ten digits (read as hex), so each modem has its own. */
const macFromImei = (imei: string): number[] => [0x02, ...(imei.padStart(10, '0').slice(-10).match(/../g) ?? []).map((p) => parseInt(p, 16))];

export function serveQmiDmsNv(ep: QmiDeviceEndpoint, fw: ModemFirmware): void {
  const d = dms.messages;
  const nv: { userLock: { enabled: boolean; code: string }; userData: Uint8Array; activation: number; bootMode: number } = {
    userLock: { enabled: false, code: '0000' },
    userData: new Uint8Array(0),
    activation: DmsActivationState.names['not-activated'],
    bootMode: DmsBootImageDownloadMode.names.normal,
  };
  const spc = (): string => fw.config.spc ?? '000000';

  ep.handle(d.getSupportedMessages, () => ({ list: supportedMessages(dms) }));
  ep.handle(d.getFactorySku, () => ({ sku: FACTORY_SKU }));

  ep.handle(d.getUserLockState, () => ({ enabled: nv.userLock.enabled }));
  ep.handle(d.setUserLockState, (v) => {
    if (v.info.lockCode !== nv.userLock.code) throw fail(QmiProtocolError.AuthenticationFailed);
    if (v.info.enabled === nv.userLock.enabled) throw fail(QmiProtocolError.NoEffect);
    nv.userLock.enabled = v.info.enabled;
    return {};
  });
  ep.handle(d.setUserLockCode, (v) => {
    if (v.info.oldCode !== nv.userLock.code) throw fail(QmiProtocolError.AuthenticationFailed);
    if (!/^\d{4}$/.test(v.info.newCode)) throw fail(QmiProtocolError.InvalidArgument);
    nv.userLock.code = v.info.newCode;
    return {};
  });

  ep.handle(d.readUserData, () => ({ userData: nv.userData }));
  ep.handle(d.writeUserData, (v) => {
    if (v.userData.length > USER_DATA_MAX) throw fail(QmiProtocolError.ArgumentTooLong);
    nv.userData = v.userData.slice();
    return {};
  });

  ep.handle(d.getPrlVersion, () => ({ version: DEFAULT_PRL_VERSION, prlOnlyPreference: false }));
  ep.handle(d.readEriFile, () => ({ eriFile: ERI_FILE }));
  ep.handle(d.getActivationState, () => ({ info: nv.activation }));
  // OTASP over the network ends activated; manual activation writes the numbers once the SPC checks out.
  ep.handle(d.activateAutomatic, (v) => {
    if (!v.activationCode.startsWith('*')) throw fail(QmiProtocolError.InvalidArgument);
    nv.activation = DmsActivationState.names.activated;
    return {};
  });
  ep.handle(d.activateManual, (v) => {
    if (v.info.serviceProgrammingCode !== spc()) throw fail(QmiProtocolError.AuthenticationFailed);
    if (!/^\d{1,15}$/.test(v.info.mobileDirectoryNumber) || !/^\d{1,15}$/.test(v.info.mobileIdentificationNumber)) throw fail(QmiProtocolError.InvalidArgument);
    nv.activation = DmsActivationState.names.activated;
    return {};
  });

  ep.handle(d.getBootImageDownloadMode, () => ({ mode: nv.bootMode }));
  ep.handle(d.setBootImageDownloadMode, (v) => {
    if (v.mode !== DmsBootImageDownloadMode.names.normal && v.mode !== DmsBootImageDownloadMode.names['boot-and-recovery']) throw fail(QmiProtocolError.InvalidArgument);
    nv.bootMode = v.mode;
    return {};
  });

  // A WLAN-capable modem has no Bluetooth of its own.
  ep.handle(d.getMacAddress, (v) => {
    if (v.device !== DmsMacType.names.wlan) throw fail(QmiProtocolError.NotSupported);
    return { macAddress: macFromImei(fw.identity.imei) };
  });
  // The radio is not FCC-locked: the unlock is accepted and changes nothing.
  ep.handle(d.setFccAuthentication, () => ({}));
  ep.handle(d.setFirmwareId, () => ({}));
}
