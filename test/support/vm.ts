/**
 * Scenarios inside `wwan vm run` (Debian's kernel under QEMU, the simulated modem on USB). Without
 * qemu or the fetched kernel they skip loudly; under CI=true that is a failure. One VM at a time:
 * the scenarios of a file run in order, and every VM scenario lives in test/vm/.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { hasTool } from './tools.js';

export const ROOT = join(import.meta.dirname, '../..');
const KERNEL = join(process.env.WWAN_VM_CACHE ?? join(ROOT, '.cache/vm'), 'current/vmlinuz');

export function itWithVm(): typeof it {
  const missing = [
    ...(hasTool('qemu-system-x86_64') ? [] : ['qemu-system-x86_64 (Debian package qemu-system-x86)']),
    ...(existsSync(KERNEL) ? [] : [`the VM kernel ${KERNEL} (scripts/vm-kernel.sh fetches it)`]),
  ];
  if (missing.length === 0) return it;
  const why = `needs ${missing.join(' and ')} (install with scripts/install-deps.sh)`;
  process.stderr.write(`\n*** SKIPPING VM tests that ${why} ***\n`);
  if (process.env.CI === 'true') return ((name: string) => it(name, () => { throw new Error(`CI=true and this test ${why}`); })) as unknown as typeof it;
  return it.skip as unknown as typeof it;
}

export interface VmResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Host wall time of the whole run (boot, plug-in, command, power-off), seconds. */
  seconds: number;
}

/** One `wwan vm run` (the built CLI), as a user runs it. */
export function vmRun(args: string[], command: string[], timeoutS = 240): Promise<VmResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/wwan.js'), 'vm', 'run', '--timeout', String(timeoutS), ...args, '--', ...command], { cwd: ROOT, maxBuffer: 16 << 20, timeout: (timeoutS + 30) * 1000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** `key=value` pairs from a scenario script's output. */
export function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([a-z_][a-z0-9_]*)=(\S+)/g)) out[m[1]!] = m[2]!;
  return out;
}
