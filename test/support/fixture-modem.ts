/**
 * The modem the qmicli compatibility tests talk to: the simulator's own QMI front-end and firmware,
 * with a fixed seed and a fixed signal so every run prints the same values.
 */
import type { QmuxPort } from '../../src/qmi/port.js';
import { ModemFirmware, type FirmwareConfig } from '../../src/sim/firmware.js';
import { QmiDeviceEndpoint } from '../../src/sim/qmi-endpoint.js';
import { qmiServiceVersions, serveQmiFirmware } from '../../src/sim/qmi-firmware.js';

export function fixtureModem(port: QmuxPort, config: FirmwareConfig = {}): QmiDeviceEndpoint {
  const ep = new QmiDeviceEndpoint(port, { versions: qmiServiceVersions() });
  // A short network scan: qmicli waits for it like any other answer.
  serveQmiFirmware(ep, new ModemFirmware({ seed: 7, fixedSignal: true, scanMs: 1500, ...config }));
  return ep;
}
