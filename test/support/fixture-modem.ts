/**
 * A scripted QMI modem for compatibility tests: every declared request the qmicli tests use gets a
 * full answer (all optional TLVs present), so printers are exercised on every field.
 */
import type { QmuxPort } from '../../src/qmi/port.js';
import { QmiDeviceEndpoint } from '../../src/sim/qmi-endpoint.js';
import { dms } from '../../src/qmi/services/dms.js';

export function fixtureModem(port: QmuxPort): QmiDeviceEndpoint {
  const ep = new QmiDeviceEndpoint(port);
  const m = dms.messages;
  let mode = 0;
  ep.handle(m.getIds, () => ({ esn: '80ABCDEF', imei: '490154203237518', meid: 'A0000012345678', imeiSoftwareVersion: '12' }));
  ep.handle(m.getManufacturer, () => ({ manufacturer: 'wwankit' }));
  ep.handle(m.getModel, () => ({ model: 'SIM-QMI 5G' }));
  ep.handle(m.getRevision, () => ({ revision: 'WK1.0.0 2026-11-21' }));
  ep.handle(m.getMsisdn, () => ({ msisdn: '+15555550100' }));
  ep.handle(m.getHardwareRevision, () => ({ revision: '10000' }));
  ep.handle(m.getCapabilities, () => ({
    info: { maxTxChannelRate: 50_000_000, maxRxChannelRate: 150_000_000, dataServiceCapability: 3, simCapability: 2, radioInterfaces: [4, 5, 8] },
  }));
  ep.handle(m.getOperatingMode, () => ({ mode, ...(mode === 3 ? { offlineReason: 1 } : {}), hardwareRestrictedMode: false }));
  ep.handle(m.setOperatingMode, (v) => {
    mode = v.mode;
    return {};
  });
  return ep;
}
