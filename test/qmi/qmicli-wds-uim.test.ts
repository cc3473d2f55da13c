/**
 * `wwan qmicli`'s remaining WDS operations against the real qmicli 1.32 (issue 17): dormancy of the
 * call's traffic channel, binding a client to an SIO data port, the supported-messages list; the
 * same requests and output against the same fixture modem, step by step.
 */
import { execFile } from 'node:child_process';
import { describe, expect } from 'vitest';
import { qmuxPort } from '../../src/qmi/port.js';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { QmiDeviceEndpoint } from '../../src/sim/qmi-endpoint.js';
import { qmiServiceVersions, serveQmiFirmware } from '../../src/sim/qmi-firmware.js';
import { createPty } from '../../src/transport/pty.js';
import { WWAN } from '../support/capture.js';
import { FIXTURE_TIME } from '../support/fixture-modem.js';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { itWithTools } from '../support/tools.js';

const wds: Record<string, string[][]> = {
  'wds supported messages': [['--wds-get-supported-messages']],
  'wds dormancy out of a call': [['--wds-go-dormant'], ['--wds-go-active'], ['--wds-get-dormancy-status']],
  'wds a call goes dormant and active again': [
    ['--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid'],
    ['--wds-get-dormancy-status'],
    ['--wds-go-dormant'],
    ['--wds-get-dormancy-status'],
    ['--wds-go-dormant'],
    ['--wds-go-active'],
    ['--wds-get-dormancy-status'],
    ['--wds-go-active'],
  ],
  'wds bind data port by name and number, and bad ports': [
    ['--wds-bind-data-port=a2-mux-rmnet0'],
    ['--wds-bind-data-port=0x0e05', '--client-no-release-cid'],
    ['--wds-bind-data-port=a2-mux-rmnet7', '--client-cid=2'],
    ['--wds-bind-data-port=3590'],
    ['--wds-bind-data-port=none'],
    ['--wds-bind-data-port=0'],
    ['--wds-bind-data-port=rmnet0'],
    ['--wds-bind-data-port=A2-MUX-RMNET1'],
  ],
};

const itq = itWithTools(['qmicli']);

describe('wwan qmicli WDS matches qmicli 1.32', () => {
  for (const [name, steps] of Object.entries(wds)) itq(name, () => expectSameAsQmicli(steps));
});

function exec(cmd: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout) => resolve({ code: err ? 1 : 0, stdout }));
  });
}

describe('a dormant call', () => {
  for (const tool of ['qmicli', 'wwan'] as const) {
    itq(`goes active again when a packet crosses it (${tool})`, async () => {
      const pty = createPty();
      const fw = new ModemFirmware({ seed: 7, fixedSignal: true, wallClock: () => FIXTURE_TIME });
      serveQmiFirmware(new QmiDeviceEndpoint(qmuxPort(pty.transport), { versions: qmiServiceVersions() }), fw);
      const run = (...args: string[]) => {
        const base = ['--device-open-qmi', '-d', pty.path, ...args];
        return tool === 'qmicli' ? exec('qmicli', base) : exec(process.execPath, [WWAN, 'qmicli', ...base]);
      };
      const status = async () => /Dormancy Status: '([^']+)'/.exec((await run('--wds-get-dormancy-status')).stdout)?.[1];
      try {
        expect((await run('--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid')).code).toBe(0);
        expect((await run('--wds-go-dormant')).code).toBe(0);
        expect(await status()).toBe('traffic-channel-dormant');
        expect(await status()).toBe('traffic-channel-dormant');
        // An uplink packet, counted as the data plane counts what it carries.
        const session = [...fw.sessions.values()][0]!;
        session.traffic.uplinkPackets++;
        expect(await status()).toBe('traffic-channel-active');
      } finally {
        await pty.close();
      }
    });
  }
});
