/**
 * wwankit as people install it: the packed tarball (with its prebuilt addons) installed into an empty
 * folder where no compiler can be found, then README's library example and `npx wwan demo` run from there.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { hasTool, itWithTools } from '../support/tools.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), `wwankit-install-${process.pid}-`));
const app = join(work, 'app');
const bin = join(work, 'bin');
/** No compiler, no make: only what a machine without build tools has. */
const env = { HOME: process.env.HOME ?? '/root', PATH: bin, CC: '/nonexistent', CXX: '/nonexistent', npm_config_nodedir: '/nonexistent' };
let tarball = '';
let files: string[] = [];

/** README's first code block under "As a library". */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### As a library'));
  return /```js\n([\s\S]*?)```/.exec(section)![1]!;
}

const it = itWithTools(['aarch64-linux-gnu-gcc', 'ping', 'ip', 'unshare']);

beforeAll(async () => {
  if (!hasTool('aarch64-linux-gnu-gcc')) return;
  // What `npm pack` runs (prepack), then the pack itself; dist/ is what `npm test` just built.
  await run('npm', ['run', 'prepack', '--silent'], { cwd: root, timeout: 120_000 });
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, timeout: 60_000 });
  const packed = JSON.parse(stdout)[0] as { filename: string; files: { path: string }[] };
  tarball = join(work, packed.filename);
  files = packed.files.map((f) => f.path);
  mkdirSync(bin);
  for (const tool of ['node', 'npm', 'npx', 'ping', 'ip', 'sh']) symlinkSync(execFileSync('which', [tool], { encoding: 'utf8' }).trim(), join(bin, tool));
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // As npm 10 (Node 20's) would: every install script runs, ours and the D-Bus library's optional one.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--dangerously-allow-all-scripts', tarball], { cwd: app, env, timeout: 240_000 });
}, 420_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('carries the addon prebuilt for linux-x64 and linux-arm64, the D-Bus policy and service file, the systemd unit, and no source maps', () => {
    expect(files).toContain('prebuilds/linux-x64/wwankit.napi.glibc.node');
    expect(files).toContain('prebuilds/linux-arm64/wwankit.napi.glibc.node');
    expect(files).toContain('dbus/org.freedesktop.ModemManager1.conf');
    expect(files).toContain('dbus/org.freedesktop.ModemManager1.service');
    expect(files).toContain('systemd/wwankit.service');
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/'))).toEqual([]);
    expect(files).toContain('dist/index.d.ts');
  });

  it('installs without a compiler, using the prebuilt addon and no hoisted node-gyp', () => {
    expect(() => execFileSync('sh', ['-c', 'command -v cc || command -v gcc || command -v make'], { env })).toThrow();
    const pkg = join(app, 'node_modules', 'wwankit');
    expect(existsSync(join(pkg, 'build'))).toBe(false);
    expect(readdirSync(join(app, 'node_modules', '.bin'))).not.toContain('node-gyp');
  });

  it("runs README's library example from the installed package", async () => {
    writeFileSync(join(app, 'example.mjs'), readmeExample());
    const { stdout } = await run('node', ['example.mjs'], { cwd: app, env, timeout: 30_000 });
    expect(stdout.trim()).toMatch(/^wwan0\.\d+: 10\.64\.\d+\.\d+\/\d+ via APN internet$/);
  });

  it('runs `npx wwan demo` from the installed package (TUN links through the prebuilt addon)', async () => {
    // A network namespace of its own, so its TUN links cannot meet another test's.
    const { stdout } = await run('/usr/bin/unshare', ['--net', '--', 'npx', '--no-install', 'wwan', 'demo', '--json'], { cwd: app, env, timeout: 60_000 });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { datapath: string; links: { ping: { sent: number; received: number } }[] };
    expect(summary.datapath).toBe('tun');
    expect(summary.links).toHaveLength(2);
    for (const l of summary.links) expect(l.ping.received).toBe(l.ping.sent);
  });

  it('without any addon, what needs no pty or TUN works and the simulated modem (ptys) says why', async () => {
    const none = { ...env, WWANKIT_PREBUILD: join(work, 'none') };
    const codec = "import { qmi } from 'wwankit'; const f = qmi.encodeQmux({ service: 0, clientId: 0, type: 'request', transaction: 1, messageId: 0x22, tlvs: new Uint8Array(0) }); console.log(qmi.describeQmux(f).message.name)";
    const { stdout } = await run('node', ['--input-type=module', '-e', codec], { cwd: app, env: none, timeout: 30_000 });
    expect(stdout.trim()).toBe('allocateCid');
    const pty = await run('node', ['example.mjs'], { cwd: app, env: none, timeout: 30_000 }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in pty && pty.code).not.toBe(0);
    expect((pty as { stderr: string }).stderr).toMatch(/native addon is not available for linux-x64; it is needed for pseudo-terminals/);
  });
});
