/** `wwan vm run` without its parts: clear errors naming the package or step, nothing started (no VM boots here). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/vm.js';

function wwan(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/wwan.js'), ...args], { env, cwd: ROOT }, (error, _stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }));
  });
}

describe('wwan vm run prerequisites', () => {
  it('without qemu: names the Debian package', async () => {
    const r = await wwan(['vm', 'run', '--profile', 'qmi-usb', '--', 'true'], { ...process.env, PATH: '/nonexistent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/qemu-system-x86_64 not found: install the Debian package qemu-system-x86/);
  });

  it('without the fetched kernel: names the script that fetches it', async () => {
    const r = await wwan(['vm', 'run', '--profile', 'qmi-usb', '--', 'true'], { ...process.env, PATH: `/usr/bin:/bin`, WWAN_VM_CACHE: '/nonexistent/cache' });
    // (qemu may be absent too; then that is the error, also naming what to install)
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no VM kernel in \/nonexistent\/cache\/current: run scripts\/install-deps.sh|qemu-system-x86 /);
  });

  it('refuses what cannot work before booting anything', async () => {
    expect((await wwan(['vm', 'run', '--profile', 'bam-dmux', '--', 'true'], process.env)).stderr).toMatch(/not a USB modem profile: bam-dmux/);
    expect((await wwan(['vm', 'run', '--profile', 'mbim-usb', '--modems', '2', '--', 'true'], process.env)).stderr).toMatch(/one MBIM modem per VM/);
    expect((await wwan(['vm', 'run', '--profile', 'qmi-usb', '--timeout', '0', '--', 'true'], process.env)).stderr).toMatch(/--timeout/);
    expect((await wwan(['vm', 'run', '--qrtr', '--profile', 'mbim-usb', '--', 'true'], process.env)).stderr).toMatch(/not a QMI modem profile: mbim-usb/);
    expect((await wwan(['vm', 'run', '--qrtr', '--modems', '2', '--', 'true'], process.env)).stderr).toMatch(/0 or 1 with --qrtr/);
    expect((await wwan(['vm', 'run', '--', 'true'], process.env)).stderr).toMatch(/--profile: required \(or --qrtr\)/);
  });

  it('--sim-netns: a name ip netns cannot take is refused before booting', async () => {
    expect((await wwan(['vm', 'run', '--profile', 'qmi-usb', '--sim-netns', '../x', '--', 'true'], process.env)).stderr).toMatch(/network namespace name "\.\.\/x" is not/);
  });
});
