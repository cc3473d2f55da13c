/**
 * The configuration file: checked with errors that name the line, kept up by the daemon (autoconnect
 * at start, redial after the network drops a bearer, PIN from a file), and re-read without touching
 * bearers whose profile did not change; a broken file is refused and the last good one stays.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/daemon/config.js';
import { Daemon } from '../../src/daemon/server.js';
import type { Bearer } from '../../src/modem/modem.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { WWAN } from '../support/capture.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), `wwan-config-${process.pid}-`));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};
const netdev = async (_m: string, name: string): Promise<MemoryNetdev> => new MemoryNetdev(name);

let daemon: Daemon | undefined;
let sim: Simulator | undefined;
afterEach(async () => {
  await daemon?.stop();
  await sim?.stop();
  daemon = sim = undefined;
});

/** Resolves when `check` holds, re-checked on every bearer event. */
function until(d: Daemon, check: () => boolean, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => (off(), reject(new Error('timed out'))), ms);
    const off = d.onEvent(() => {
      if (check()) (clearTimeout(timer), off(), resolve());
    });
  });
}

const connected = (d: Daemon, modem = 'sim0'): Bearer[] => [...(d.manager.modems.get(modem)?.bearers.values() ?? [])].filter((b) => b.status === 'connected');

const TWO = `# both PDNs of every modem
[[modem]]
autoconnect = true

[[modem.bearer]]
apns = ["internet"]
ip-type = "ipv4"

[[modem.bearer]]
apns = ["ims"]
ip-type = "ipv4"
`;

describe('the configuration file', () => {
  it('names the line of every mistake', () => {
    const bad = (text: string): string => {
      try {
        parseConfig(text, 'w.toml');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(bad('[[modem]]\nautoconnect = \n')).toMatch(/^w\.toml:2: /);
    expect(bad('[[modem]]\n\n[[modem.bearer]]\napns = ["internet"]\nip-type = "ipv5"\n')).toBe('w.toml:5: ip-type is one of ipv4, ipv6, ipv4v6');
    expect(bad('[[modem]]\nimei = "123"\n')).toBe('w.toml:2: imei must be 14 to 16 digits');
    expect(bad('[[modem]]\n[[modem.bearer]]\napns = ["a"]\n[[modem]]\n[[modem.bearer]]\nip-type = "ipv4"\n')).toBe('w.toml:5: apns must name one or more APNs, tried in order');
    expect(bad('[[modem]]\n[[modem.bearer]]\napns = ["bad apn!"]\n')).toMatch(/^w\.toml:3: .*letters, digits/);
    expect(bad('[[modem]]\npin-file = "/nonexistent/pin"\n')).toBe('w.toml:2: cannot read the PIN file /nonexistent/pin');
    expect(bad('[[modem]]\nspeed = 5\n')).toMatch(/^w\.toml:2: unknown modem setting "speed"/);
    expect(() => loadConfig(join(dir, 'missing.toml'))).toThrow(/missing\.toml: cannot read it \(ENOENT\)/);
    const good = parseConfig('[[modem]]\nimei = "861234567890123"\n[[modem.bearer]]\napns = ["a", "b"]\nmultiplex = "required"\nlink-id = 3\n', 'w.toml');
    expect(good.modems[0]).toMatchObject({ imei: '861234567890123', autoconnect: true, bearers: [{ request: { apns: ['a', 'b'], ipType: 'ipv4', auth: 'none', multiplex: 'required', linkId: 3 } }] });
  });

  it('brings the configured bearers up at start and again after the network drops them', async () => {
    const config = file('two.toml', TWO);
    sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'] });
    daemon = await Daemon.start({ socket: join(dir, 'a.sock'), netdev, config });
    await daemon.manager.add({ id: 'sim0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, dataPipe: sim.ready().modems[0]!.data });
    await until(daemon, () => connected(daemon!).length === 2);
    expect(connected(daemon).map((b) => b.connected?.apn).sort()).toEqual(['ims', 'internet']);
    expect(sim.fault({ fault: 'disconnect', modem: sim.modems[0]!.id })).toMatchObject({ ok: true, dropped: 2 });
    await until(daemon, () => connected(daemon!).length < 2);
    await until(daemon, () => connected(daemon!).length === 2);
    expect(connected(daemon).map((b) => b.connected?.apn).sort()).toEqual(['ims', 'internet']);
  });

  it('unlocks a SIM with the PIN file it names, never logging the PIN, then autoconnects', async () => {
    const pin = file('pin', '2468\n');
    const config = file('pin.toml', `[[modem]]\npin-file = "${pin}"\n[[modem.bearer]]\napns = ["internet"]\n`);
    const base = PROFILES['qmi-rmnet'];
    sim = await Simulator.start({ profile: { ...base, firmware: { ...base.firmware, pin: '2468', pinLocked: true } } });
    const logs: string[] = [];
    daemon = await Daemon.start({ socket: join(dir, 'p.sock'), netdev, config, log: (l) => logs.push(l) });
    await daemon.manager.add({ id: 'sim0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, dataPipe: sim.ready().modems[0]!.data });
    await until(daemon, () => connected(daemon!).length === 1);
    expect(logs.join('\n')).toContain('sim0: SIM unlocked with the configured PIN');
    expect(logs.join('\n')).not.toContain('2468');
  });

  it('reloads: a changed profile is replaced, the unchanged bearer stays up; a broken file is refused with its line', async () => {
    const config = file('reload.toml', TWO);
    sim = await Simulator.start({ profile: PROFILES['qmi-rmnet'] });
    const socket = join(dir, 'r.sock');
    daemon = await Daemon.start({ socket, netdev, config });
    await daemon.manager.add({ id: 'sim0', control: 'qmi', port: `unix:${sim.modems[0]!.ports[0]!.socket}`, dataPipe: sim.ready().modems[0]!.data });
    await until(daemon, () => connected(daemon!).length === 2);
    const internet = connected(daemon).find((b) => b.connected?.apn === 'internet')!;
    const ims = connected(daemon).find((b) => b.connected?.apn === 'ims')!;
    const events: { id: number; status: string }[] = [];
    daemon.onEvent((e) => e.event === 'bearer' && events.push(e.bearer as { id: number; status: string }));

    writeFileSync(config, TWO.replace('apns = ["ims"]\nip-type = "ipv4"', 'apns = ["ims"]\nip-type = "ipv4v6"'));
    const cli = await run(process.execPath, [WWAN, 'reload', '--socket', socket]);
    expect(cli.stdout).toBe(`${config} reloaded: 1 bearer(s) kept, 1 replaced\n`);
    await until(daemon, () => connected(daemon!).length === 2 && connected(daemon!).some((b) => b.request.ipType === 'ipv4v6'));
    expect(daemon.manager.get('sim0').bearers.get(internet.id)?.status).toBe('connected');
    expect(events.filter((e) => e.id === internet.id)).toEqual([]);
    expect(daemon.manager.get('sim0').bearers.has(ims.id)).toBe(false);
    expect(connected(daemon).find((b) => b.connected?.apn === 'ims')?.connected?.ipv6).toBeDefined();

    writeFileSync(config, '[[modem]]\n[[modem.bearer]]\nip-type = ipv4\n');
    const broken = await run(process.execPath, [WWAN, 'reload', '--socket', socket]).catch((e: { code: number; stderr: string }) => e);
    expect((broken as { code: number }).code).toBe(2);
    expect((broken as { stderr: string }).stderr).toMatch(new RegExp(`^wwan: ${config}:3: `));
    expect(connected(daemon)).toHaveLength(2);
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
