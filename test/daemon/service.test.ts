/**
 * wwan as a service: version, exit codes for argument errors, the PIN through the daemon, a listener
 * that cannot listen, SIGHUP, a socket refused with EACCES and one given to a group, structured logs,
 * bash completion, and the systemd unit and D-Bus service file shipped in the package.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { WWAN } from '../support/capture.js';
import { itWithTools } from '../support/tools.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), `wwan-service-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
const wwan = (args: string[], options: { uid?: number; gid?: number } = {}): Promise<Result> =>
  run(process.execPath, [WWAN, ...args], { ...options, timeout: 30_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: Result) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

/** A `wwan daemon` process, resolved once it listens (its stderr kept). */
interface Running {
  child: ChildProcess;
  stderr: string[];
  exited: Promise<number | null>;
}
const running: Running[] = [];
function startDaemon(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [WWAN, 'daemon', '--no-discover', '--netdev', 'memory', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Running = { child, stderr: [], exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  running.push(r);
  createInterface({ input: child.stderr! }).on('line', (l) => r.stderr.push(l));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l.includes('"listening"') && resolve(r));
    void r.exited.then((code) => reject(new Error(`daemon exited (${code}): ${r.stderr.join('\n')}`)));
  });
}
afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null) r.child.kill('SIGTERM');
    await r.exited;
  }
});

describe('wwan as a service', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(await wwan(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('exits 2 for every argument error, commander\'s included', async () => {
    for (const args of [['list', '--bogus'], ['nosuch'], ['connect', 'sim0'], ['daemon', '--log-level', 'loud'], ['unlock', 'sim0'], ['completion', 'fish'], ['disconnect', 'sim0']]) {
      const r = await wwan(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).not.toBe('');
    }
  });

  it('unlocks a SIM through the daemon from a PIN file: retries shown, the PIN never', async () => {
    const base = PROFILES['qmi-rmnet'];
    const sim = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, pin: '1357', pinLocked: true } } });
    const socket = join(dir, 'unlock.sock');
    const logs: string[] = [];
    const daemon = await Daemon.start({ socket, netdev: async (_m, n) => new MemoryNetdev(n), log: (l) => logs.push(l) });
    try {
      await daemon.manager.add({ id: 'sim0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, dataPipe: sim.ready().modems[0]!.data });
      expect(daemon.manager.get('sim0').state).toBe('locked');
      writeFileSync(join(dir, 'wrong'), '9999\n');
      writeFileSync(join(dir, 'right'), '1357\n');
      const wrong = await wwan(['unlock', 'sim0', '--pin-file', join(dir, 'wrong'), '--socket', socket]);
      expect(wrong).toMatchObject({ code: 1, stdout: 'sim0: the PIN was refused (SIM pin-required); 2 PIN retries left\n' });
      // `wwan sim-pin` shows the state and retries, and with a PIN file it is `wwan unlock`.
      expect(await wwan(['sim-pin', 'sim0', '--socket', socket])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sim0: SIM pin-required \(2 PIN(, \d+ PUK)? retries left\); enter it with `wwan sim-pin sim0 --pin-file FILE`\n$/) });
      expect(JSON.parse((await wwan(['sim-pin', 'sim0', '--socket', socket, '--json'])).stdout)).toMatchObject({ modem: 'sim0', sim: { status: 'pin-required', pinRetries: 2 } });
      expect(await wwan(['sim-pin', 'sim0', '--puk-file', join(dir, 'right'), '--socket', socket])).toMatchObject({ code: 2 });
      const right = await wwan(['sim-pin', 'sim0', '--pin-file', join(dir, 'right'), '--socket', socket, '--json']);
      expect(right.code).toBe(0);
      expect(JSON.parse(right.stdout)).toEqual({ unlocked: true, sim: 'ready', retries: 3 });
      expect(daemon.manager.get('sim0').state).toBe('registered');
      expect((await wwan(['sim-pin', 'sim0', '--socket', socket])).stdout).toMatch(/^sim0: SIM ready/);
      const again = await wwan(['unlock', 'sim0', '--pin-file', join(dir, 'right'), '--socket', socket]);
      expect(again).toMatchObject({ code: 2, stderr: 'wwan: the SIM of sim0 is ready, not waiting for a PIN\n' });
      for (const text of [wrong.stdout, wrong.stderr, right.stdout, again.stderr, logs.join('\n')]) expect(text).not.toMatch(/9999|1357/);
    } finally {
      await daemon.stop();
      await sim.stop();
    }
  });

  for (const profile of ['qmi-rmnet', 'mbim-usb'] as const) {
    it(`unblocks a ${profile} SIM with the PUK and a new PIN after three wrong PINs, codes never shown`, async () => {
      const base = PROFILES[profile];
      const sim = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, pin: '1357', puk: '24681357', pinLocked: true } } });
      const socket = join(dir, `puk-${profile}.sock`);
      const daemon = await Daemon.start({ socket, netdev: async (_m, n) => new MemoryNetdev(n) });
      try {
        await daemon.manager.add({ id: 'sim0', control: base.control, port: `unix:${sim.modems[0]!.ports[0]!.socket}`, dataPipe: sim.ready().modems[0]!.data });
        writeFileSync(join(dir, 'bad-pin'), '0000\n');
        writeFileSync(join(dir, 'bad-puk'), '11112222\n');
        writeFileSync(join(dir, 'puk'), '24681357\n');
        writeFileSync(join(dir, 'new-pin'), '8642\n');
        for (const left of [2, 1, 0]) expect((await wwan(['unlock', 'sim0', '--pin-file', join(dir, 'bad-pin'), '--socket', socket])).stdout).toContain(`; ${left} PIN retries left`);
        expect(daemon.manager.get('sim0').info?.sim.status).toBe('puk-required');
        const pinNow = await wwan(['unlock', 'sim0', '--pin-file', join(dir, 'bad-pin'), '--socket', socket]);
        expect(pinNow).toMatchObject({ code: 2, stderr: 'wwan: the SIM of sim0 is puk-required, not waiting for a PIN\n' });
        const wrong = await wwan(['unlock', 'sim0', '--puk-file', join(dir, 'bad-puk'), '--pin-file', join(dir, 'new-pin'), '--socket', socket]);
        expect(wrong).toMatchObject({ code: 1, stdout: 'sim0: the PUK was refused (SIM puk-required); 9 PUK retries left\n' });
        const right = await wwan(['unlock', 'sim0', '--puk-file', join(dir, 'puk'), '--pin-file', join(dir, 'new-pin'), '--socket', socket]);
        expect(right).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sim0: SIM unblocked, new PIN set \(now ready\)/) });
        expect(daemon.manager.get('sim0').state).toBe('registered');
        for (const text of [wrong.stdout, wrong.stderr, right.stdout, right.stderr]) expect(text).not.toMatch(/0000|11112222|24681357|8642/);
      } finally {
        await daemon.stop();
        await sim.stop();
      }
    });
  }

  it('exits non-zero when the dashboard or the D-Bus service cannot listen', async () => {
    const r = await run(process.execPath, [WWAN, 'daemon', '--no-discover', '--netdev', 'memory', '--socket', join(dir, 'http.sock'), '--http', '203.0.113.1:80', '--http-allow-remote'], { timeout: 20_000 }).catch(
      (e: { code: number; killed: boolean; stderr: string }) => e,
    );
    expect(r).toMatchObject({ code: 1, killed: false });
    expect((r as { stderr: string }).stderr).toContain('EADDRNOTAVAIL');
    const bus = await run(process.execPath, [WWAN, 'daemon', '--no-discover', '--netdev', 'memory', '--socket', join(dir, 'bus.sock'), '--dbus', `unix:path=${join(dir, 'no-bus')}`], { timeout: 20_000 }).catch(
      (e: { code: number; killed: boolean; stderr: string }) => e,
    );
    expect(bus).toMatchObject({ code: 1, killed: false });
    expect((bus as { stderr: string }).stderr).toContain('wwan: D-Bus');
  });

  it('logs JSON lines with level and time off a terminal, from --log-level up', async () => {
    const info = await startDaemon(['--socket', join(dir, 'log1.sock')]);
    const first = JSON.parse(info.stderr[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', name: 'wwand', msg: expect.stringContaining('in-memory datapath') });
    expect(Date.parse(String(first.time))).toBeGreaterThan(Date.now() - 60_000);
    const warn = await startDaemon(['--socket', join(dir, 'log2.sock'), '--log-level', 'warn']);
    warn.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    // SIGHUP without a configuration file is a warning; the info lines are not written at all.
    expect(warn.stderr.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['warn']);
  });

  it('survives SIGHUP, re-reading its configuration, and stops cleanly on SIGTERM', async () => {
    const config = join(dir, 'hup.toml');
    writeFileSync(config, '[[modem]]\nautoconnect = false\n');
    const socket = join(dir, 'hup.sock');
    const d = await startDaemon(['--socket', socket, '--config', config, '--sim', 'qmi-rmnet']);
    d.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    writeFileSync(config, '[[modem]]\nautoconnect = maybe\n');
    d.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    expect(d.child.exitCode).toBe(null);
    expect((await wwan(['status', '--socket', socket])).code).toBe(0);
    const msgs = d.stderr.map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(msgs).toContainEqual(expect.objectContaining({ level: 'info', msg: `configuration ${config} reloaded: 0 bearer(s) kept, 0 replaced` }));
    expect(msgs).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringMatching(new RegExp(`^${config}:2: `)) }));
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(existsSync(socket)).toBe(false);
  });

  it('refuses to start on a broken configuration file, naming its line', async () => {
    const config = join(dir, 'broken.toml');
    writeFileSync(config, '[[modem]]\n\n[[modem.bearer]]\napns = ["internet"]\nmultiplex = "sometimes"\n');
    const r = await wwan(['daemon', '--no-discover', '--netdev', 'memory', '--socket', join(dir, 'broken.sock'), '--config', config]);
    expect(r).toMatchObject({ code: 1, stderr: `wwan: ${config}:5: multiplex is one of none, requested, required\n` });
    expect(existsSync(join(dir, 'broken.sock'))).toBe(false);
  });

  itWithTools(['setpriv'])('reports a socket refused with EACCES as such, and --socket-group lets that group in', async () => {
    chmodSync(dir, 0o755);
    // The folder is open to all: the socket's own mode (0660, root's group) is what refuses.
    const closed = mkdtempSync(join(dir, 'closed-'));
    chmodSync(closed, 0o755);
    await startDaemon(['--socket', join(closed, 'wwand.sock')]);
    const refused: Result = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, WWAN, 'status', '--socket', join(closed, 'wwand.sock')]).then((r) => ({ code: 0, ...r }), (e: Result) => e);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(`permission denied on the daemon's socket ${join(closed, 'wwand.sock')}`);
    // A folder only root may enter (0700): the group gets in too.
    const shared = mkdtempSync(join(dir, 'shared-'));
    await startDaemon(['--socket', join(shared, 'wwand.sock'), '--socket-group', 'nogroup']);
    const ok = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, WWAN, 'status', '--socket', join(shared, 'wwand.sock'), '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ modemCount: 0 });
  });

  itWithTools(['bash'])('completes commands and options in bash', async () => {
    const complete = async (...words: string[]): Promise<string> => {
      const script = `source <("${process.execPath}" "${WWAN}" completion bash); COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _wwan; echo "\${COMPREPLY[@]}"`;
      return (await run('bash', ['-c', script])).stdout.trim();
    };
    expect((await complete('wwan', 'co')).split(' ').sort()).toEqual(['completion', 'connect']);
    expect(await complete('wwan', 'daemon', '--soc')).toBe('--socket --socket-group');
    expect(await complete('wwan', 'unlock', '--p')).toBe('--pin-file --puk-file');
  });

  itWithTools(['systemd-analyze'])('ships a systemd unit that runs options the daemon has, and a D-Bus service file that starts it', async () => {
    const unit = readFileSync(join(root, 'systemd/wwankit.service'), 'utf8');
    const exec = /^ExecStart=(\S+) daemon (.*)$/m.exec(unit)!;
    const help = (await wwan(['daemon', '--help'])).stdout;
    for (const option of exec[2]!.match(/--[a-z-]+/g)!) expect(help).toContain(option);
    const copy = join(dir, 'wwankit.service');
    writeFileSync(copy, unit.replace(exec[1]!, '/usr/bin/true'));
    const verify = await run('systemd-analyze', ['verify', copy]).then((r) => ({ code: 0, ...r }), (e: Result) => e);
    expect(verify.code).toBe(0);
    expect(verify.stderr).not.toMatch(/unknown|invalid|bad-setting|ignoring/i);
    const activation = readFileSync(join(root, 'dbus/org.freedesktop.ModemManager1.service'), 'utf8');
    expect(activation).toMatch(/^Name=org\.freedesktop\.ModemManager1$/m);
    expect(unit).toMatch(/^BusName=org\.freedesktop\.ModemManager1$/m);
    expect(unit).toContain(`Alias=${/^SystemdService=(.*)$/m.exec(activation)![1]}`);
  });
});
