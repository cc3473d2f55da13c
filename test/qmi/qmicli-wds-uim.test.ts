/**
 * `wwan qmicli`'s remaining WDS operations against the real qmicli 1.32 (issue 17): dormancy of the
 * call's traffic channel, binding a client to an SIO data port, the supported-messages list; the
 * same requests and output against the same fixture modem, step by step. And the UIM monitors: the
 * real qmicli and ours each run as a monitor while the modem's model changes, are stopped with SIGINT
 * as a user would, and must have printed the same and released their client.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { QmiDevice } from '../../src/qmi/client.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { connectUnix } from '../../src/transport/unix.js';
import { qmuxPort } from '../../src/qmi/port.js';
import { uim } from '../../src/qmi/services/uim.js';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { QmiDeviceEndpoint } from '../../src/sim/qmi-endpoint.js';
import { qmiServiceVersions, serveQmiFirmware } from '../../src/sim/qmi-firmware.js';
import { createPty } from '../../src/transport/pty.js';
import { WWAN } from '../support/capture.js';
import { FIXTURE_TIME } from '../support/fixture-modem.js';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { expectSameMonitor, monitor, until, type Change } from '../support/qmicli-monitor.js';
import { itWithTools } from '../support/tools.js';

const wds: Record<string, string[][]> = {
  'wds supported messages': [['--wds-get-supported-messages']],
  'wds follow network needs start network': [['--wds-follow-network'], ['--wds-get-packet-service-status', '--wds-follow-network']],
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

describe('wwan qmicli UIM monitors match qmicli 1.32', () => {
  itq('slot status: a slot switch and a card powered off and on, until Ctrl-C', async () => {
    const real = await expectSameMonitor(['--uim-monitor-slot-status'], uim.messages.registerEvents.id, 'Received slot status indication', [
      [(fw) => fw.switchSlot(2), 1],
      [(fw) => fw.setCardPower(1, false), 1],
      [(fw) => fw.setCardPower(1, true), 1],
      [(fw) => fw.switchSlot(1), 1],
    ]);
    expect(real.stdout).toContain('Slot status: active');
  }, 60_000);

  // EF SPN and EF PLMNwAcT under the USIM's ADF as MF/DF path 3F00 7FFF, changed over the air.
  const spn = { fileId: 0x6f46, path: [0x00, 0x3f, 0xff, 0x7f] };
  const plmnwact = { fileId: 0x6f60, path: [0x00, 0x3f, 0xff, 0x7f] };
  const ota = (...files: (typeof spn)[]) => (fw: ModemFirmware) => fw.refreshSim({ mode: 'fcn', files });

  itq('refresh of one file: its change (start, Refresh Complete, end), others unheard, a card reset, until Ctrl-C', async () => {
    const real = await expectSameMonitor(['--uim-monitor-refresh-file=0x3F00,0x7FFF,0x6F46'], uim.messages.refreshRegister.id, 'Received refresh indication', [
      [ota(spn, plmnwact), 2],
      [ota(plmnwact), 0],
      [(fw) => fw.refreshSim({ mode: 'reset', files: [] }), 2],
    ]);
    expect(real.stdout).toContain('Refresh stage: end-with-success');
    expect(real.requests.filter((r) => r.startsWith(`${uim.id}/0x2c `))).toHaveLength(1);
  }, 60_000);

  itq('refresh of all files: every change named, until Ctrl-C', async () => {
    const real = await expectSameMonitor(['--uim-monitor-refresh-all'], uim.messages.refreshRegisterAll.id, 'Received refresh indication', [
      [ota(spn, plmnwact), 2],
      [ota(plmnwact), 2],
    ]);
    expect(real.requests.filter((r) => r.startsWith(`${uim.id}/0x2c `))).toHaveLength(2);
  }, 60_000);
});

describe('wwan qmicli --wds-follow-network matches qmicli 1.32', () => {
  const args = ['--wds-start-network=apn=internet,ip-type=4', '--wds-follow-network'];
  const started = (_ep: QmiDeviceEndpoint, stdout: string): boolean => stdout.includes('Ctrl+C will stop the network');
  const both = (changes: Change[], endsItself = false) =>
    Promise.all([monitor('qmicli', args, started, 'Connection status', changes, endsItself), monitor('wwan', args, started, 'Connection status', changes, endsItself)]);
  const lastLine = (t: string): string => t.trim().split('\n').at(-1)!;

  itq('until Ctrl-C: the call ends with the released client', async () => {
    const [real, ours] = await both([]);
    expect(ours.requests).toEqual(real.requests);
    expect(ours.stdout).toBe(real.stdout);
    expect(real.stdout).toContain('Network cancelled... releasing resources');
    expect([ours.code, lastLine(ours.stderr)]).toEqual([real.code, lastLine(real.stderr)]);
    for (const r of [real, ours]) expect([r.clientsLeft, r.callsLeft]).toEqual([0, 0]);
  }, 60_000);

  itq('until the network drops the call: found by the 20 s status check, then stopped', async () => {
    const [real, ours] = await both([[(fw) => fw.setCoverage(false), 1]], true);
    expect(ours.requests).toEqual(real.requests);
    expect(ours.stdout).toBe(real.stdout);
    expect(real.stdout).toContain("Connection status: 'disconnected'");
    expect([ours.code, lastLine(ours.stderr)]).toEqual([real.code, lastLine(real.stderr)]);
    for (const r of [real, ours]) expect([r.clientsLeft, r.callsLeft]).toEqual([0, 0]);
  }, 90_000);
});

describe('the SIM faults reach UIM monitors', () => {
  it('sim-slot, sim-power and sim-refresh over the control path: slot status and refresh indications, bad arguments refused', async () => {
    const sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'], seed: 3 });
    const dev = new QmiDevice(qmuxPort(await connectUnix(sim.modems[0]!.ports[0]!.socket)), { timeoutMs: 2000 });
    try {
      const u = await dev.allocateClient(uim);
      const slots: number[][] = [];
      const refreshes: { stage: number; mode: number; files: number[] }[] = [];
      u.on(uim.indications.slotStatus, (v) => slots.push(v.physicalSlotStatus!.map((s) => s.physicalSlotStatus)));
      u.on(uim.indications.refresh, (v) => refreshes.push({ stage: v.event!.stage, mode: v.event!.mode, files: v.event!.files.map((f) => f.fileId) }));
      await u.request(uim.messages.registerEvents, { eventRegistrationMask: 1 << 4 });
      const slot1 = { sessionType: 0x06, applicationIdentifier: [] };
      await u.request(uim.messages.refreshRegisterAll, { session: slot1, info: { registerFlag: true } });

      expect(sim.fault({ fault: 'sim-slot', slot: 2 })).toEqual({ ok: true });
      expect(sim.fault({ fault: 'sim-power', slot: 1, on: false })).toEqual({ ok: true });
      // As `wwan sim ctl sim-refresh files=…` sends it.
      expect(sim.fault({ fault: 'sim-refresh', files: '3F00/7FFF/6F46,3f00/2FE2' })).toEqual({ ok: true });
      await until('the indications', () => slots.length === 2 && refreshes.length === 1);
      expect(slots).toEqual([[0, 1], [0, 1]]);
      expect(refreshes[0]).toEqual({ stage: 1, mode: 3, files: [0x6f46, 0x2fe2] });
      // Until the host answers, the refresh is not over.
      await sleep(100);
      expect(refreshes).toHaveLength(1);
      await u.request(uim.messages.refreshComplete, { session: slot1, info: { refreshSuccess: true } });
      await until('the end stage', () => refreshes.length === 2);
      expect(refreshes[1]!.stage).toBe(2);

      for (const bad of [{ fault: 'sim-slot', slot: 3 }, { fault: 'sim-power' }, { fault: 'sim-refresh', files: ['3F00/XYZ'] }, { fault: 'sim-refresh', files: [] }]) {
        expect(sim.fault(bad)).toMatchObject({ ok: false });
      }
      await u.release();
    } finally {
      await dev.close();
      await sim.stop();
    }
  });
});
