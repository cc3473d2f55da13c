/** The real qmicli drives `wwan sim --profile qmi-rmnet` (issue 5's interop list), over the pty and the proxy. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { luhnDigit } from '../../src/sim/random.js';
import { startSim, type SimProcess } from '../support/sim-process.js';
import { QmiDevice } from '../../src/qmi/client.js';
import { QmiProtocolErrorResponse } from '../../src/qmi/errors.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { QMI_PROXY_NAME } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { itWithTools } from '../support/tools.js';

const run = promisify(execFile);
const it = itWithTools(['qmicli']);
let sim: SimProcess;
let dev: string;
// The sim is deterministic from its seed: the same firmware model says what it must report.
const expected = new ModemFirmware({ seed: 42, ...PROFILES['qmi-rmnet'].firmware });

const qmicli = async (...args: string[]): Promise<string> => (await run('qmicli', ['--device-open-qmi', '-d', dev, ...args])).stdout;

beforeAll(async () => {
  sim = await startSim(['--profile', 'qmi-rmnet', '--seed', '42', '--proxy']);
  dev = sim.ready.modems[0]!.ports[0]!.path;
});

afterAll(async () => {
  const dir = dirname(sim.ready.modems[0]!.data);
  expect(await sim.stop()).toBe(0);
  expect(existsSync(dir)).toBe(false);
});

describe('qmicli against wwan sim (qmi-rmnet)', () => {
  it('reads the identity: a valid IMEI and the profile model', async () => {
    const ids = await qmicli('--dms-get-ids');
    const imei = /IMEI: '(\d{15})'/.exec(ids)?.[1];
    expect(imei).toBe(expected.identity.imei);
    expect(luhnDigit(imei!.slice(0, 14))).toBe(Number(imei![14]));
    expect(await qmicli('--dms-get-manufacturer')).toContain(`'${expected.identity.manufacturer}'`);
    expect(await qmicli('--dms-get-model')).toContain(`'${expected.identity.model}'`);
    expect(await qmicli('--dms-get-revision')).toContain(`'${expected.identity.revision}'`);
  });

  it('shows the card present, a level on the radio and registration', async () => {
    expect(await qmicli('--uim-get-card-status')).toMatch(/Card state: 'present'[\s\S]*Application state: 'ready'/);
    expect(await qmicli('--nas-get-signal-strength')).toMatch(/Network 'lte': '-\d+ dBm'/);
    expect(await qmicli('--nas-get-serving-system')).toMatch(/Registration state: 'registered'[\s\S]*Description: 'wwankit'/);
  });

  it('negotiates QMAP with WDA and binds a mux id', async () => {
    const set = await qmicli('--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmapv5,dl-protocol=qmapv5,dl-max-datagrams=32,dl-datagram-max-size=32768,ep-type=hsusb,ep-iface-number=4');
    expect(set).toMatch(/Downlink data aggregation protocol: 'qmapv5'/);
    expect(set).toMatch(/Uplink data aggregation max size: '8192'/);
    const get = await qmicli('--wda-get-data-format');
    expect(get).toMatch(/Link layer protocol: 'raw-ip'/);
    expect(get).toMatch(/Uplink data aggregation protocol: 'qmapv5'/);
    await expect(qmicli('--wds-bind-mux-data-port=mux-id=1,ep-iface-number=4')).resolves.toBe('');
  });

  it('starts a network on a kept client, reads the address the sim assigned, and stops it', async () => {
    const started = await qmicli('--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid');
    const handle = /Packet data handle: '(\d+)'/.exec(started)?.[1];
    const cid = /CID: '(\d+)'/.exec(started)?.[1];
    expect(handle && cid).toBeTruthy();
    const settings = await qmicli('--wds-get-current-settings', `--client-cid=${cid}`, '--client-no-release-cid');
    expect(settings).toMatch(/IPv4 address: 10\.64\.\d+\.\d+/);
    expect(settings).toMatch(/MTU: 1500/);
    // Another client sees no call: the call is tied to the client that started it.
    expect(await qmicli('--wds-get-packet-service-status')).toContain("'disconnected'");
    expect(await qmicli('--wds-get-packet-service-status', `--client-cid=${cid}`, '--client-no-release-cid')).toContain("'connected'");
    expect(await qmicli(`--wds-stop-network=${handle}`, `--client-cid=${cid}`)).toContain('Network stopped');
  });

  it('answers qmicli -p through the simulated qmi-proxy, and refuses a path it does not serve', async () => {
    const { stdout } = await run('qmicli', ['-p', '--device-open-qmi', '-d', dev, '--dms-get-model']);
    expect(stdout).toContain(`'${expected.identity.model}'`);
    // It reached the simulator's proxy (bound with the exact abstract name), not a real qmi-proxy it spawned.
    expect(sim.stderr()).toContain(`qmi-proxy: a client opened ${dev} (modem0)`);
    const port = qmuxPort(await connectUnix(QMI_PROXY_NAME));
    const refused = await QmiDevice.open(port, { proxyDevicePath: '/dev/null' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QmiProtocolErrorResponse);
    expect((refused as QmiProtocolErrorResponse).errorName).toBe('InvalidArgument');
    expect(sim.stderr()).toContain('no modem at "/dev/null"');
  });
});
