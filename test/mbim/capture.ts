/**
 * Runs an MBIM command line (the real mbimcli or `wwan mbimcli`) against a test MBIM function on a raw
 * pseudo-terminal, recording the COMMANDs it sent (transaction id zeroed) and what it printed.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPty } from '../../src/transport/pty.js';
import { toHex } from '../../src/wire/hex.js';
import { mbimPeer, type Answer, type Handler } from './peer.js';

const MAIN = fileURLToPath(new URL('../../src/cli/mbimcli/main.ts', import.meta.url));

export interface Capture {
  code: number;
  stdout: string;
  stderr: string;
  /** Every message received, hex, transaction id zeroed. */
  sent: string[];
}

export function exec(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
    });
  });
}

export async function capture(tool: 'mbimcli' | 'wwan', args: string[], handlers: Record<string, Handler | Answer> = {}): Promise<Capture> {
  const pty = createPty();
  const peer = mbimPeer(pty.transport, handlers);
  try {
    const full = ['-d', pty.path, ...args];
    const r = tool === 'mbimcli' ? await exec('mbimcli', full) : await exec(process.execPath, ['--import', 'tsx', MAIN, ...full]);
    const clean = (s: string): string => s.replaceAll(pty.path, 'DEV');
    const sent = peer.received.map((b) => {
      const c = b.slice();
      c.fill(0, 8, 12);
      return toHex(c, '');
    });
    return { code: r.code, stdout: clean(r.stdout), stderr: clean(r.stderr), sent };
  } finally {
    await pty.close();
  }
}
