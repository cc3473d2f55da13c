/**
 * The modem the qmicli compatibility tests talk to: the simulator's own QMI front-end and firmware,
 * with a fixed seed, a fixed signal and a stopped wall clock so every run prints the same values.
 */
import type { QmuxPort } from '../../src/qmi/port.js';
import { ModemFirmware, type FirmwareConfig } from '../../src/sim/firmware.js';
import { QmiDeviceEndpoint } from '../../src/sim/qmi-endpoint.js';
import { qmiServiceVersions, serveQmiFirmware } from '../../src/sim/qmi-firmware.js';

/** The fixture modem's wall clock: always this instant. */
export const FIXTURE_TIME = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

export function fixtureModem(port: QmuxPort, config: FirmwareConfig = {}): QmiDeviceEndpoint {
  const ep = new QmiDeviceEndpoint(port, { versions: qmiServiceVersions() });
  // A short network scan: qmicli waits for it like any other answer.
  serveQmiFirmware(ep, new ModemFirmware({ seed: 7, fixedSignal: true, scanMs: 1500, wallClock: () => FIXTURE_TIME, ...config }));
  return ep;
}
