/**
 * qmicli's monitors (actions that print indications until Ctrl-C) run by the real qmicli and by
 * `wwan qmicli`, each against its own simulated modem, with changes made to the modem meanwhile.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { qmuxPort } from '../../src/qmi/port.js';
import { splitTlvs } from '../../src/qmi/qmux.js';
import { pdc } from '../../src/qmi/services/pdc.js';
import { uim } from '../../src/qmi/services/uim.js';
import { wds } from '../../src/qmi/services/wds.js';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { QmiDeviceEndpoint } from '../../src/sim/qmi-endpoint.js';
import { qmiServiceVersions, serveQmiFirmware } from '../../src/sim/qmi-firmware.js';
import { createPty } from '../../src/transport/pty.js';
import { toHex } from '../../src/wire/hex.js';
import { WWAN } from './capture.js';
import { FIXTURE_TIME } from './fixture-modem.js';

/** Polls until `ok` holds (a monitor's output or the modem's requests), failing after 30 s (a followed call is polled every 20 s). */
export async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (ok()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface MonitorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  requests: string[];
  /** UIM, WDS and PDC clients still allocated, and calls still up, once the tool ended. */
  clientsLeft: number;
  callsLeft: number;
}

/**
 * Runs one tool as a monitor against its own modem: once the monitor registered, each change is made
 * and its printouts awaited (`marker` that many times more), then SIGINT stops it (unless it ends itself).
 */
export type Change = [change: (fw: ModemFirmware) => void, printouts: number];

export async function monitor(tool: 'qmicli' | 'wwan', args: string[], ready: (ep: QmiDeviceEndpoint, stdout: string) => boolean, marker: string, changes: Change[], endsItself = false): Promise<MonitorRun> {
  const pty = createPty();
  const fw = new ModemFirmware({ seed: 7, fixedSignal: true, wallClock: () => FIXTURE_TIME });
  const ep = new QmiDeviceEndpoint(qmuxPort(pty.transport), { versions: qmiServiceVersions() });
  serveQmiFirmware(ep, fw);
  const base = ['--device-open-qmi', '-d', pty.path, ...args];
  const child = tool === 'qmicli' ? spawn('qmicli', base) : spawn(process.execPath, [WWAN, 'qmicli', ...base]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await until('the monitor to start', () => ready(ep, stdout));
    // The answer reaches the monitor, which then listens: give it that moment.
    await sleep(1000);
    const count = () => stdout.split(marker).length - 1;
    for (const [change, printouts] of changes) {
      const before = count();
      change(fw);
      await until(`printout ${before + printouts}`, () => count() >= before + printouts);
      // Room for what should not come (or the monitor's answer to it).
      await sleep(printouts === 0 ? 500 : 200);
    }
    if (!endsItself) child.kill('SIGINT');
    const code = await exited;
    const requests = ep.requests.map((f) => {
      const tlvs = splitTlvs(f.tlvs);
      return `${f.service}/0x${f.messageId.toString(16)} ${tlvs.ok ? tlvs.value.map((t) => `0x${t.type.toString(16)}=${toHex(t.value, '')}`).sort().join(' ') : 'invalid'}`;
    });
    const clean = (t: string): string => t.replaceAll(pty.path, 'DEV');
    return { code, stdout: clean(stdout), stderr: clean(stderr), requests, clientsLeft: [uim.id, wds.id, pdc.id].reduce((n, id) => n + ep.clientsOf(id).length, 0), callsLeft: fw.sessions.size };
  } finally {
    child.kill('SIGKILL');
    await pty.close();
  }
}

export async function expectSameMonitor(args: string[], registration: number, marker: string, changes: Change[], service: number = uim.id): Promise<MonitorRun> {
  const registered = (ep: QmiDeviceEndpoint): boolean => ep.requests.some((f) => f.service === service && f.messageId === registration);
  const real = await monitor('qmicli', args, registered, marker, changes);
  const ours = await monitor('wwan', args, registered, marker, changes);
  expect(ours.requests).toEqual(real.requests);
  expect(ours.stdout).toBe(real.stdout);
  expect(ours.code).toBe(real.code);
  expect(real.code).toBe(0);
  for (const r of [real, ours]) {
    expect(r.stderr).toContain('cancelling the operation...');
    expect(r.clientsLeft).toBe(0);
    expect(r.stdout.split(marker).length - 1).toBe(changes.reduce((n, [, p]) => n + p, 0));
  }
  return real;
}

