/**
 * The real mbimcli (and qmicli over MBIM) drive `wwan sim --profile mbim-usb` and `--profile iosm`
 * (issue 5's interop list), over the pty and the simulated mbim-proxy.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { MbimClosedError, MbimDevice } from '../../src/mbim/client.js';
import { ModemFirmware, type Session } from '../../src/sim/firmware.js';
import { DSS_SERVICES } from '../../src/sim/mbim-dss.js';
import { MBIM_PROXY_NAME } from '../../src/sim/mbim-proxy.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { connectUnix } from '../../src/transport/unix.js';
import { WWAN } from '../support/capture.js';
import { startSim, type SimProcess } from '../support/sim-process.js';
import { itWithTools } from '../support/tools.js';

const run = promisify(execFile);
const it = itWithTools(['mbimcli', 'qmicli', 'socat']);

/** mbimcli's lines for one session's IP configuration, as the sim must assign it. */
function ipLines(s: Session): string[] {
  return [
    `IP [0]: '${s.ipv4!.address}/${s.ipv4!.prefix}'`,
    `Gateway: '${s.ipv4!.gateway}'`,
    `DNS [0]: '${s.ipv4!.dns[0]}'`,
    `IP [0]: '${s.ipv6!.address}/${s.ipv6!.prefix}'`,
    `DNS [1]: '${s.ipv6!.dns[1]}'`,
    `MTU: '${s.mtu}'`,
  ];
}

describe('mbimcli against wwan sim (mbim-usb)', () => {
  let sim: SimProcess;
  let dev: string;
  // The sim is deterministic from its seed: the same firmware model says what it must report.
  const expected = new ModemFirmware({ seed: 42, ...PROFILES['mbim-usb'].firmware });
  const mbimcli = async (...args: string[]): Promise<string> => (await run('mbimcli', ['-d', dev, ...args])).stdout;

  beforeAll(async () => {
    sim = await startSim(['--profile', 'mbim-usb', '--seed', '42', '--proxy']);
    expect(sim.ready.modems[0]!.ports[0]!.type).toBe('mbim');
    dev = sim.ready.modems[0]!.ports[0]!.path;
  });

  afterAll(async () => {
    expect(await sim.stop()).toBe(0);
  });

  it('reads the identity, the SIM and the radio', async () => {
    const caps = await mbimcli('--query-device-caps');
    expect(caps).toContain(`Device ID: '${expected.identity.imei}'`);
    expect(caps).toContain("Max sessions: '4'");
    expect(caps).toContain(`Firmware info: '${expected.identity.revision}'`);
    const ready = await mbimcli('--query-subscriber-ready-status');
    expect(ready).toContain("Ready state: 'initialized'");
    expect(ready).toContain(`Subscriber ID: '${expected.identity.imsi}'`);
    expect(ready).toContain(`SIM ICCID: '${expected.identity.iccid}'`);
    expect(await mbimcli('--query-radio-state')).toContain("Software radio state: 'on'");
  });

  it('shows registration, signal and an attached packet service', async () => {
    const reg = await mbimcli('--query-registration-state');
    expect(reg).toContain("Register state: 'home'");
    expect(reg).toContain(`Provider ID: '${expected.operator.mcc}${expected.operator.mnc}'`);
    expect(reg).toContain(`Provider name: '${expected.operator.name}'`);
    // rssi index: dBm = -113 + 2·index
    expect(await mbimcli('--query-signal-state')).toContain(`RSSI [0-31,99]: '${(expected.signal.rssi + 113) / 2}'`);
    expect(await mbimcli('--attach-packet-service')).toContain("Packet service state: 'attached'");
  });

  it('connects session 0, prints and re-reads the IP configuration the sim assigned', async () => {
    const s = expected.startSession({ apn: 'internet', family: 'ipv4v6', linkId: 0 });
    const connected = await mbimcli('--connect=apn=internet');
    expect(connected).toContain('Successfully connected');
    expect(connected).toContain("Activation state: 'activated'");
    for (const line of ipLines(s)) expect(connected).toContain(line);
    const config = await mbimcli('--query-ip-configuration');
    for (const line of ipLines(s)) expect(config).toContain(line);
  });

  it('brings session 2 up on another APN, reads its state, and takes it down', async () => {
    const s = expected.startSession({ apn: 'ims', family: 'ipv4v6', linkId: 2 });
    const connected = await mbimcli('--connect=session-id=2,access-string=ims,ip-type=ipv4v6');
    expect(connected).toMatch(/Session ID: '2'[\s\S]*IP type: 'ipv4v6'/);
    for (const line of ipLines(s)) expect(connected).toContain(line);
    expect(await mbimcli('--query-connection-state=2')).toContain("Activation state: 'activated'");
    expect(await mbimcli('--disconnect=2')).toContain("Activation state: 'deactivated'");
    expect(await mbimcli('--query-connection-state=2')).toContain("Activation state: 'deactivated'");
  });

  it('advertises the DSS services and opens a DSS session on one', async () => {
    const services = await mbimcli('--query-device-services');
    expect(services).toContain("Max DSS sessions: '4'");
    for (const s of Object.values(DSS_SERVICES)) expect(services).toContain(`UUID: [${s.uuid}]`);
    expect(services).toMatch(/Service: 'qmi'[\s\S]*CIDs: msg \(1\)/);
    expect(await mbimcli(`--dss-connect=${DSS_SERVICES.nmea.uuid},1`)).toContain('Successfully connected');
    expect(await mbimcli(`--dss-disconnect=${DSS_SERVICES.nmea.uuid},1`)).toContain('Successfully disconnected');
    // `wwan mbimcli` names every service and CID the sim advertises as mbimcli does.
    expect((await run(process.execPath, [WWAN, 'mbimcli', '-d', dev, '--query-device-services'])).stdout).toBe(services);
  });

  it('lists the USIM application and opens and closes logical channels (MS UICC low-level access)', async () => {
    const apps = await mbimcli('--ms-query-uicc-application-list');
    expect(apps).toContain('UICC applications: (1)');
    expect(apps).toContain('Application type:        usim');
    expect(apps).toContain('Application ID:          A0:00:00:00:87:10:02:FF:49:FF:05:89');
    expect(apps).toContain('Application name:        USIM');
    expect(apps).toContain('PIN key references:      01:81');
    const open = (aid: string): Promise<string> => mbimcli(`--ms-set-uicc-open-channel=application-id=${aid},selectp2arg=4,channel-group=1`);
    // The card is no eUICC: ModemManager's EID read selects the ISD-R and must learn it is not there.
    expect(await open('a0000005591010ffffffff8900000100')).toMatch(/status: 106\s+channel: 0/);
    const opened = await open('a0000000871002ff49ff0589');
    expect(opened).toMatch(/status: 144\s+channel: 1\b/);
    expect(await open('a0000000871002ff49ff0589')).toMatch(/status: 144\s+channel: 2\b/);
    for (const channel of [1, 2]) expect(await mbimcli(`--ms-set-uicc-close-channel=channel=${channel},channel-group=1`)).toContain('status: 144');
    expect(await mbimcli('--ms-set-uicc-close-channel=channel=1,channel-group=1')).toContain('status: 104');
  });

  it('reads the files of the card, with the ICCID and IMSI of the firmware model (MS UICC low-level access)', async () => {
    const file = (path: string): string => `application-id=a0000000871002ff49ff0589,file-path=${path}`;
    const status = await mbimcli(`--ms-query-uicc-file-status=${file('7fff6f07')}`);
    expect(status).toMatch(/Status word 1: 144[\s\S]*Structure: transparent[\s\S]*Item size: 9[\s\S]*Read: pin1/);
    expect(await mbimcli(`--ms-query-uicc-file-status=${file('7fff6fff')}`)).toMatch(/Status word 1: 106\s+Status word 2: 130/);
    // BCD, low nibble first: the ICCID padded with F, the IMSI after its length and parity nibble.
    const swap = (d: string): string => (d.length % 2 ? `${d}F` : d).match(/../g)!.map((p) => p[1]! + p[0]!).join(':');
    const iccid = await mbimcli(`--ms-query-uicc-read-binary=${file('3f002fe2')},read-offset=0,read-size=10`);
    expect(iccid).toContain(`Data: ${swap(expected.identity.iccid)}`);
    const imsi = await mbimcli(`--ms-query-uicc-read-binary=${file('7fff6f07')},read-offset=0,read-size=9`);
    expect(imsi).toContain(`Data: 08:${swap(`9${expected.identity.imsi}`)}`);
    expect(await mbimcli(`--ms-query-uicc-read-binary=${file('7fff6f3e')},read-offset=0,read-size=8`)).toContain('Data: FF:FF:FF:FF:FF:FF:FF:FF');
    // Asking for more than the file holds: 6C with the right length (the card model, sim-card.ts).
    expect(await mbimcli(`--ms-query-uicc-read-binary=${file('7fff6f07')},read-offset=0,read-size=20`)).toMatch(/Status word 1: 108\s+Status word 2: 9\b/);
  });

  it('answers mbimcli -p through the simulated mbim-proxy, and refuses a path it does not serve', async () => {
    expect((await run('mbimcli', ['-p', '-d', dev, '--query-device-caps'])).stdout).toContain(`Device ID: '${expected.identity.imei}'`);
    const refused = await MbimDevice.open(await connectUnix(MBIM_PROXY_NAME), { proxy: { devicePath: '/dev/null' }, openTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MbimClosedError);
    expect(sim.stderr()).toContain('no modem at "/dev/null"');
  });

  it('serves QMI over MBIM to qmicli (pty and proxy), and wwan qmicli prints the same', async () => {
    const real = await run('qmicli', ['--device-open-mbim', '-d', dev, '--dms-get-ids']);
    expect(real.stdout).toContain(`IMEI: '${expected.identity.imei}'`);
    const ours = await run(process.execPath, [WWAN, 'qmicli', '--device-open-mbim', '-d', dev, '--dms-get-ids']);
    expect(ours.stdout).toBe(real.stdout);
    expect((await run('qmicli', ['-p', '--device-open-mbim', '-d', dev, '--dms-get-model'])).stdout).toContain(`'${expected.identity.model}'`);
  });
});

describe('mbimcli against wwan sim (iosm)', () => {
  let sim: SimProcess;
  let dev: string;
  const apns = PROFILES.iosm.firmware.apns!.map((a) => a.name);

  beforeAll(async () => {
    sim = await startSim(['--profile', 'iosm', '--seed', '7']);
    dev = sim.ready.modems[0]!.ports[0]!.path;
  });

  afterAll(async () => {
    expect(await sim.stop()).toBe(0);
  });

  it('connects sessions 0..7 on eight APNs and refuses session 8', async () => {
    expect(apns).toHaveLength(8);
    for (const [id, apn] of apns.entries()) {
      const { stdout } = await run('mbimcli', ['-d', dev, `--connect=session-id=${id},access-string=${apn}`]);
      expect(stdout).toContain(`Session ID: '${id}'`);
      expect(stdout).toContain("Activation state: 'activated'");
    }
    const refused = await run('mbimcli', ['-d', dev, '--connect=session-id=8,access-string=internet']).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('error: operation failed: InvalidParameters') });
    expect(await run('mbimcli', ['-d', dev, '--query-connection-state=7']).then((r) => r.stdout)).toContain("Activation state: 'activated'");
  });
});
