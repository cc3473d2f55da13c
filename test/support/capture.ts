/**
 * Runs a QMI command line (the real qmicli or `wwan qmicli`) against a fixture modem on a raw
 * pseudo-terminal and records what it sent and printed.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { qmuxPort } from '../../src/qmi/port.js';
import { splitTlvs } from '../../src/qmi/qmux.js';
import { createPty } from '../../src/transport/pty.js';
import { toHex } from '../../src/wire/hex.js';
import type { FirmwareConfig } from '../../src/sim/firmware.js';
import type { QmiDeviceEndpoint } from '../../src/sim/qmi-endpoint.js';
import { fixtureModem } from './fixture-modem.js';

export const WWAN = fileURLToPath(new URL('../../bin/wwan.js', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Service requests as `service/0xmsg {tlv: hex}` with TLVs sorted (order is free). */
  requests: string[];
}

function exec(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * Runs each step (an argument list) in turn against one fixture modem; `DEV` in output stands for the pty.
 * `answer` may replace some of the modem's handlers (a response to print that the model never gives).
 */
export async function captureSteps(tool: 'qmicli' | 'wwan', steps: string[][], config: FirmwareConfig = {}, answer?: (modem: QmiDeviceEndpoint) => void): Promise<Run[]> {
  const pty = createPty();
  const modem = fixtureModem(qmuxPort(pty.transport), config);
  answer?.(modem);
  const runs: Run[] = [];
  try {
    for (const args of steps) {
      const before = modem.requests.length;
      const base = ['--device-open-qmi', '-d', pty.path, ...args];
      const r = tool === 'qmicli' ? await exec('qmicli', base) : await exec(process.execPath, [WWAN, 'qmicli', ...base]);
      const requests = modem.requests.slice(before).map((f) => {
        const tlvs = splitTlvs(f.tlvs);
        const parts = tlvs.ok ? tlvs.value.map((t) => `0x${t.type.toString(16)}=${toHex(t.value, '')}`).sort() : ['invalid'];
        return `${f.service}/0x${f.messageId.toString(16)} ${parts.join(' ')}`;
      });
      const clean = (s: string): string => s.replaceAll(pty.path, 'DEV');
      const stderr = clean(r.stderr).split('\n').filter((l) => !/-Warning \*\*|GLib-CRITICAL/.test(l)).join('\n');
      runs.push({ code: r.code, stdout: clean(r.stdout), stderr, requests });
    }
  } finally {
    await pty.close();
  }
  return runs;
}
