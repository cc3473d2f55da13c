/**
 * The real ModemManager (Debian's) manages our simulated modems through `wwan sim --with-modemmanager`:
 * one harness per profile, shared by its tests, driven with mmcli from the host on the private bus.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CARRIER_CONFIGS } from '../../src/sim/qmi-pdc.js';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { alive } from '../../src/sim/modemmanager/harness.js';
import { PROFILES, type ProfileName } from '../../src/sim/profiles.js';
import { WWAN } from '../support/capture.js';
import { itWithTools } from '../support/tools.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const it = itWithTools(isRoot ? ['mmcli', 'ModemManager', 'dbus-daemon', 'unshare'] : ['root']);

interface Ready {
  dbus: string;
  control: string;
  modems: { id: string; device: string; path?: string }[];
  processes: { name: string; pid: number }[];
}

async function startHarness(args: string[], detached = false): Promise<{ child: ChildProcess; ready: Ready; stderr: () => string }> {
  // detached: in a process group of its own, as under a terminal, so a Ctrl-C can reach all of it.
  const child = spawn(process.execPath, [WWAN, 'sim', '--with-modemmanager', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as Ready));
    child.once('exit', (code) => reject(new Error(`harness exited with ${code}: ${err}`)));
  });
  return { child, ready, stderr: () => err };
}

async function stopHarness(h: { child: ChildProcess } | undefined): Promise<number | null> {
  if (!h || h.child.exitCode !== null) return h?.child.exitCode ?? null;
  const exited = new Promise<number | null>((r) => h.child.once('exit', (code) => r(code)));
  h.child.kill('SIGTERM');
  return exited;
}

const mmcli = async (dbus: string, ...args: string[]): Promise<string> =>
  (await run('mmcli', args, { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: dbus }, timeout: 30_000 })).stdout;

/** mmcli -K output as key → value. */
const keyed = (out: string): Map<string, string> =>
  new Map(out.split('\n').flatMap((l) => {
    const m = /^(\S+)\s+:\s(.*)$/.exec(l);
    return m ? [[m[1]!, m[2]!.trim()] as [string, string]] : [];
  }));

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The network lock's control key of the qmi-rmnet modem. */
const NCK = '86420135';
/**
 * The profiles the harness locks to the network, with the errors ModemManager passes on: QMI's UIM
 * error, MBIM's Pin set status.
 */
const SIM_LOCK_ERRORS: Partial<Record<string, { wrongKey: RegExp; notEnabled: RegExp }>> = {
  'qmi-rmnet': {
    wrongKey: /org\.freedesktop\.libqmi\.Error\.Protocol\.IncorrectPin: QMI message Depersonalization failed: QMI protocol error \(12\): 'IncorrectPin'/,
    notEnabled: /org\.freedesktop\.libqmi\.Error\.Protocol\.NoEffect: QMI message Depersonalization failed: QMI protocol error \(26\): 'NoEffect'/,
  },
  'mbim-usb': {
    wrongKey: /org\.freedesktop\.libmbim\.Error\.Status\.Failure: Failure/,
    notEnabled: /org\.freedesktop\.libmbim\.Error\.Status\.PinDisabled: PinDisabled/,
  },
};

const modemIndex = async (dbus: string): Promise<string | undefined> => /Modem\/(\d+)/.exec(await mmcli(dbus, '-L'))?.[1];


/** Nothing of a harness remains: no ModemManager or private bus, no mounts, no folder, no lock. */
function expectNothingLeft(ready: Ready): void {
  const socket = /unix:path=([^,]+)/.exec(ready.dbus)![1]!;
  expect(existsSync(dirname(socket))).toBe(false);
  expect(existsSync(ready.control)).toBe(false);
  expect(readFileSync('/proc/mounts', 'utf8')).not.toMatch(/wwan-mm-|wwan-dev/);
  expect(ready.processes.filter((p) => alive(p.pid))).toEqual([]);
  expect(existsSync(join(tmpdir(), 'wwankit-modemmanager.pid'))).toBe(false);
}

/** Runs `wwan sim` to its end; its exit code and stderr. */
async function runToEnd(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [WWAN, 'sim', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  return { code, stderr };
}

/** What the sim answered with an error for want of a handler ("no handler for …" in its log). */
const unanswered = (stderr: string): string[] => [...new Set([...stderr.matchAll(/no handler for (.*?): answering/g)].map((m) => m[1]!))].sort();

// iosm is a PCI function on the wwan core: Intel's plugin drives it and names it by its PCI ids.
describe.each([
  { profile: 'qmi-usb', manufacturer: 'Quectel', model: 'EC25', tech: 'lte', control: 'name=cdc-wdm0,subsystem=usbmisc', gid1: 'FFFFFFFFFFFFFFFF', imsiShown: true },
  { profile: 'qmi-rmnet', manufacturer: 'Quectel', model: 'RM500Q-GL', tech: '5gnr', control: 'name=cdc-wdm0,subsystem=usbmisc', gid1: 'FFFFFFFFFFFFFFFF', imsiShown: true },
  { profile: 'mbim-usb', manufacturer: 'Sierra Wireless', model: 'EM7455', tech: 'lte', control: 'name=cdc-wdm0,subsystem=usbmisc', gid1: 'FFFFFFFFFFFFFFFF', imsiShown: true },
  // ModemManager reads GID1 from the card's files (the simulator's card model has one, FF-filled): over
  // QMI UIM and, on MBIM, through MS UICC low-level access. Intel's plugin keeps the
  // SIM object it made while the card was locked (when the function withholds the IMSI), so it shows
  // no IMSI after the unlock: ModemManager's doing ("couldn't load IMSI: SIM imsi not available").
  { profile: 'iosm', manufacturer: 'Intel', model: 'MBIM [8086:7560]', tech: 'lte', control: 'name=wwan0mbim0,subsystem=wwan', gid1: 'FFFFFFFFFFFFFFFF', imsiShown: false },
] as const)('ModemManager manages a simulated $profile modem', ({ profile, manufacturer, model, tech, control, gid1, imsiShown }) => {
  let h: Awaited<ReturnType<typeof startHarness>> | undefined;
  let dbus = '';
  beforeAll(async () => {
    if (!isRoot || !existsSync('/usr/sbin/ModemManager')) return;
    h = await startHarness(['--profile', profile, '--pin-locked', ...(SIM_LOCK_ERRORS[profile] ? ['--sim-lock', `network=${NCK}`] : [])]);
    dbus = h.ready.dbus;
  }, 60_000);
  afterAll(async () => {
    const ready = h?.ready;
    expect(await stopHarness(h)).toBe(0);
    if (ready) expectNothingLeft(ready);
  }, 30_000);

  it('refuses a second harness while this one runs', async () => {
    const second = await runToEnd(['--profile', profile, '--with-modemmanager']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`another wwan sim --with-modemmanager runs (pid ${h!.child.pid})`);
  }, 20_000);

  it('lists the modem with the sim\'s identity, PIN-locked, and the PIN unlocks it', async () => {
    expect(await mmcli(dbus, '-L')).toContain(`[${manufacturer}] ${model}`);
    const m = keyed(await mmcli(dbus, '-K', '-m', '0'));
    expect(m.get('modem.generic.manufacturer')).toBe(manufacturer);
    expect(m.get('modem.generic.model')).toBe(model);
    expect(m.get('modem.generic.state')).toBe('locked');
    expect(m.get('modem.generic.unlock-required')).toBe('sim-pin');
    await mmcli(dbus, '-i', '0', '--pin=1234');
    const unlocked = await until('disabled', async () => {
      const k = keyed(await mmcli(dbus, '-K', '-m', '0'));
      return k.get('modem.generic.state') === 'disabled' ? k : undefined;
    });
    expect(unlocked.get('modem.3gpp.imei')).toMatch(/^35\d{13}$/);
  }, 40_000);

  // ModemManager reads it over PDC on QMI modems, and through QMI over MBIM on MBIM functions that carry QMI (mbim-usb).
  it('shows the carrier configuration the sim selects (QMI PDC: its description and version)', async () => {
    const m = keyed(await mmcli(dbus, '-K', '-m', '0'));
    const selected = CARRIER_CONFIGS[0]!;
    const shown = profile === 'iosm' ? ['--', '--'] : [selected.description, selected.version.toString(16).toUpperCase().padStart(8, '0')];
    expect([m.get('modem.generic.carrier-configuration'), m.get('modem.generic.carrier-configuration-revision')]).toEqual(shown);
  });

  it('shows the SIM with the ICCID and IMSI of the sim\'s firmware model', async () => {
    // The harness runs the simulator with seed 1.
    const { identity } = new ModemFirmware({ seed: 1, ...PROFILES[profile as ProfileName].firmware });
    // ModemManager may still be reading the card right after the unlock.
    const sim = await until('SIM read', async () => {
      // After an unlock ModemManager may create a new SIM object: ask for the modem's current one.
      const path = keyed(await mmcli(dbus, '-K', '-m', '0')).get('modem.generic.sim')!;
      const k = keyed(await mmcli(dbus, '-K', '-i', path.split('/').pop()!));
      return (k.get('sim.properties.imsi') !== '--') === imsiShown && k.get('sim.properties.gid1') === gid1 ? k : undefined;
    });
    expect(sim.get('sim.properties.iccid')).toBe(identity.iccid);
    expect(sim.get('sim.properties.imsi')).toBe(imsiShown ? identity.imsi : '--');
    expect(sim.get('sim.properties.gid1')).toBe(gid1);
    // A plain UICC: no EID.
    expect(sim.get('sim.properties.eid')).toBe('--');
  }, 30_000);

  it('enables and registers with the sim\'s operator and access technology', async () => {
    await mmcli(dbus, '-m', '0', '-e');
    const m = await until('registered', async () => {
      const k = keyed(await mmcli(dbus, '-K', '-m', '0'));
      return k.get('modem.generic.state') === 'registered' ? k : undefined;
    });
    expect(m.get('modem.3gpp.operator-code')).toBe('00101');
    expect(m.get('modem.generic.access-technologies.value[1]')).toBe(tech);
  }, 40_000);

  // QMI: NAS Get Signal Info; MBIM: ATDS Signal.
  it('reports extended signal values that follow the sim', async () => {
    await mmcli(dbus, '-m', '0', '--signal-setup=5');
    const s = await until('signal values', async () => {
      const k = keyed(await mmcli(dbus, '-K', '-m', '0', '--signal-get'));
      return k.get('modem.signal.lte.rsrp') && k.get('modem.signal.lte.rsrp') !== '--' ? k : undefined;
    }, 15_000);
    // The sim's random walk stays within these bounds.
    expect(Number(s.get('modem.signal.lte.rsrp'))).toBeGreaterThanOrEqual(-130);
    expect(Number(s.get('modem.signal.lte.rsrp'))).toBeLessThanOrEqual(-70);
    expect(Number(s.get('modem.signal.lte.rssi'))).toBeLessThanOrEqual(-50);
  }, 30_000);

  it('connects a bearer with the sim\'s IPv4 settings and disconnects it', async () => {
    await mmcli(dbus, '-m', '0', '--simple-connect=apn=internet,ip-type=ipv4');
    const path = keyed(await mmcli(dbus, '-K', '-m', '0')).get('modem.generic.bearers.value[1]')!;
    const b = keyed(await mmcli(dbus, '-K', '-b', path.split('/').pop()!));
    expect(b.get('bearer.status.connected')).toBe('yes');
    expect(b.get('bearer.ipv4-config.address')).toBe('10.64.1.2');
    expect(b.get('bearer.ipv4-config.prefix')).toBe('24');
    expect(b.get('bearer.ipv4-config.gateway')).toBe('10.64.1.1');
    expect(b.get('bearer.ipv4-config.dns.value[1]')).toBe('10.64.0.53');
    expect(b.get('bearer.ipv4-config.mtu')).toBe('1500');
    await mmcli(dbus, '-m', '0', '--simple-disconnect');
    expect(keyed(await mmcli(dbus, '-K', '-b', path.split('/').pop()!)).get('bearer.status.connected')).toBe('no');
  }, 40_000);

  it('sends an SMS made with mmcli: it arrives at the sim\'s SMS center with its number and text', async () => {
    const created = await until('messaging enabled', async () => {
      const out = await mmcli(dbus, '-m', '0', "--messaging-create-sms=text='Hello from ModemManager 😀',number='+15550001111'");
      return /SMS\/(\d+)/.exec(out)?.[1];
    });
    await mmcli(dbus, '-s', created, '--send');
    const log = async (): Promise<{ to: string; text?: string; from: string }[]> =>
      (JSON.parse((await run(process.execPath, [WWAN, 'sim', 'ctl', '--control', h!.ready.control, 'sms-log'])).stdout) as { records: { to: string; text?: string; from: string }[] }).records;
    const record = await until('the message at the SMS center', async () => (await log()).find((r) => r.to === '+15550001111'));
    expect(record.text).toBe('Hello from ModemManager 😀');
    expect(keyed(await mmcli(dbus, '-K', '-s', created)).get('sms.properties.state')).toBe('sent');
  }, 40_000);

  it('lists an SMS the sim delivers and shows its sender and text', async () => {
    await run(process.execPath, [WWAN, 'sim', 'ctl', '--control', h!.ready.control, 'sms', '--to', 'modem0', '--from', '+4930123456', '--text', `incoming for ModemManager: ${'long '.repeat(40)}`]);
    const index = await until('the message listed', async () => /SMS\/(\d+) \(received\)/.exec(await mmcli(dbus, '-m', '0', '--messaging-list-sms'))?.[1]);
    const sms = keyed(await mmcli(dbus, '-K', '-s', index));
    expect(sms.get('sms.content.number')).toBe('+4930123456');
    expect(sms.get('sms.content.text')).toBe(`incoming for ModemManager: ${'long '.repeat(40)}`.trim());
    expect(sms.get('sms.properties.pdu-type')).toBe('deliver');
  }, 40_000);

  // iosm is MBIM alone (the Sierra plugin sends much of this through QMI over MBIM): ModemManager's own MBIM paths.
  if (profile === 'iosm') {
    it('scans, registers in an operator and is refused by the forbidden one, lists cells, recovers a PUK and switches to the eUICC (MBIM)', async () => {
      const m = async (...args: string[]): Promise<string> => mmcli(dbus, '-m', String(await modemIndex(dbus)), ...args);
      const scan = await m('--3gpp-scan', '--timeout=120');
      expect(scan).toMatch(/00104 - Initech Wireless \(\w+, forbidden\)/);
      expect(scan).toMatch(/00102 - Northwind Mobile \(\w+, available\)/);
      expect(scan).toMatch(/00101 - wwankit \(\w+, current\)/);

      await m('--3gpp-register-in-operator=00102');
      expect(keyed(await m('-K')).get('modem.3gpp.operator-code')).toBe('00102');
      // Register State answers Failure with NwError 11: ModemManager names the 3GPP cause.
      await expect(m('--3gpp-register-in-operator=00104')).rejects.toThrow(/PlmnNotAllowed/);
      await m('--3gpp-register-home');
      await until('home again', async () => (keyed(await m('-K')).get('modem.3gpp.operator-code') === '00101' ? true : undefined));

      const cells = await m('--get-cell-info');
      expect(cells).toMatch(/cell type: lte, serving: yes, operator id: 00101, tac: 5678, ci: [0-9A-F]+, physical ci: \d+, earfcn: \d+/);

      // Three wrong PINs block PIN1; the PUK and a new PIN recover it.
      const simIndex = async (): Promise<string> => keyed(await m('-K')).get('modem.generic.sim')!.split('/').pop()!;
      for (let i = 0; i < 3; i++) await expect(mmcli(dbus, '-i', await simIndex(), '--change-pin=0000', '--pin=0000')).rejects.toThrow();
      await until('sim-puk', async () => (keyed(await m('-K')).get('modem.generic.unlock-required') === 'sim-puk' ? true : undefined));
      await mmcli(dbus, '-i', await simIndex(), '--puk=12345678', '--pin=1234');
      const unlocked = await until('unlocked', async () => {
        const k = keyed(await m('-K'));
        return k.get('modem.generic.unlock-required') !== 'sim-puk' ? k : undefined;
      });
      expect(unlocked.get('modem.generic.unlock-required')).not.toBe('sim-pin');

      // Slot 2 holds the eUICC: ModemManager reads its EID through MS UICC low-level access.
      const { slots } = new ModemFirmware({ seed: 1, ...PROFILES[profile as ProfileName].firmware });
      await m('--set-primary-sim-slot=2');
      const esim = await until('the eUICC', async () => {
        const k = keyed(await m('-K'));
        if (!k.get('modem.generic.sim-slots.value[2]')?.endsWith(k.get('modem.generic.sim') ?? '-')) return undefined;
        const i = keyed(await mmcli(dbus, '-K', '-i', k.get('modem.generic.sim')!.split('/').pop()!));
        return i.get('sim.properties.eid') !== '--' ? i : undefined;
      }, 40_000);
      expect(esim.get('sim.properties.sim-type')).toBe('esim');
      expect(esim.get('sim.properties.eid')).toBe(slots[1]!.eid);
      expect(esim.get('sim.properties.iccid')).toBe(slots[1]!.iccid);
    }, 150_000);
  }

  // ModemManager reads a QMI modem's SIM locks and lifts one with UIM Depersonalization; an MBIM modem's from its PIN list, lifted with Pin set Disable.
  const simLockErrors = SIM_LOCK_ERRORS[profile];
  if (simLockErrors) {
    it('shows the network lock, refuses a wrong key with the modem\'s error and other facilities, and lifts it with the key', async () => {
      const m = async (...args: string[]): Promise<string> => mmcli(dbus, '-m', String(await modemIndex(dbus)), ...args);
      const locks = async (): Promise<string[]> => [...keyed(await m('-K')).entries()].filter(([k]) => k.startsWith('modem.3gpp.enabled-locks.value')).map(([, v]) => v);
      expect(await until('the network lock', async () => ((await locks()).includes('net-pers') ? true : undefined))).toBe(true);
      await expect(m('--3gpp-disable-facility-lock=net-pers,0000')).rejects.toThrow(simLockErrors.wrongKey);
      await expect(m('--3gpp-disable-facility-lock=ph-sim,0000')).rejects.toThrow(/Core\.Unsupported: Invalid type of facility lock to disable or empty key/);
      await expect(m('--3gpp-disable-facility-lock=corp-pers,0000')).rejects.toThrow(simLockErrors.notEnabled);
      // The PIN was unlocked first (sim); PIN2 is checked on the card (fixed-dialing).
      expect(await locks()).toEqual(['sim', 'fixed-dialing', 'net-pers']);
      await m(`--3gpp-disable-facility-lock=net-pers,${NCK}`);
      expect(await locks()).toEqual(['sim', 'fixed-dialing']);
    }, 60_000);
  }

  it('got an answer from the sim to everything it asked through enable, signal, connect and messaging', () => {
    expect(unanswered(h!.stderr())).toEqual([]);
  });

  // Radio control over QMI (issue #17): ModemManager's requests answered by the simulator's radio model.
  if (profile === 'qmi-rmnet') {
    const index = async (): Promise<string> => (await modemIndex(dbus))!;
    const modemKeys = async (): Promise<Map<string, string>> => keyed(await mmcli(dbus, '-K', '-m', await index()));

    it('scans: every operator per technology, the serving one current and the forbidden one forbidden', async () => {
      const out = await mmcli(dbus, '-K', '-m', await index(), '--3gpp-scan', '--timeout=90');
      const found = [...keyed(out).entries()].filter(([k]) => k.startsWith('modem.3gpp.scan-networks.value')).map(([, v]) => v);
      expect(found).toContain('operator-code: 00101, operator-name: wwankit, access-technologies: 5gnr, availability: current');
      expect(found).toContain('operator-code: 00102, operator-name: Northwind Mobile, access-technologies: lte, availability: available');
      expect(found).toContain('operator-code: 00104, operator-name: Initech Wireless, access-technologies: lte, availability: forbidden');
      expect(found).toHaveLength(9);
    }, 60_000);

    it('registers in another operator (roaming) and back home', async () => {
      await mmcli(dbus, '-m', await index(), '--3gpp-register-in-operator=00102');
      const roaming = await until('roaming on 00102', async () => {
        const k = await modemKeys();
        return k.get('modem.3gpp.operator-code') === '00102' && k.get('modem.3gpp.registration-state') === 'roaming' ? k : undefined;
      });
      expect(roaming.get('modem.3gpp.operator-name')).toBe('Northwind Mobile');
      expect(roaming.get('modem.generic.access-technologies.value[1]')).toBe('lte');
      await mmcli(dbus, '-m', await index(), '--3gpp-register-home');
      await until('home again', async () => ((await modemKeys()).get('modem.3gpp.operator-code') === '00101' ? true : undefined));
    }, 60_000);

    it('sets allowed and preferred modes and bands, and the simulator registers on them', async () => {
      await mmcli(dbus, '-m', await index(), '--set-allowed-modes=2g|3g', '--set-preferred-mode=2g');
      const gsm = await until('on GSM', async () => {
        const k = await modemKeys();
        return k.get('modem.generic.access-technologies.value[1]') === 'gsm' ? k : undefined;
      });
      expect(gsm.get('modem.generic.current-modes')).toBe('allowed: 2g, 3g; preferred: 2g');
      await mmcli(dbus, '-m', await index(), '--set-allowed-modes=4g');
      await mmcli(dbus, '-m', await index(), '--set-current-bands=eutran-20');
      const lte = await until('on LTE band 20', async () => {
        const k = await modemKeys();
        return k.get('modem.generic.access-technologies.value[1]') === 'lte' && k.get('modem.generic.current-bands.value[1]') === 'eutran-20' ? k : undefined;
      });
      expect(lte.get('modem.generic.current-bands.length')).toBe('1');
      expect(lte.get('modem.generic.current-modes')).toBe('allowed: 4g; preferred: none');
      await mmcli(dbus, '-m', await index(), '--set-current-bands=any');
      await mmcli(dbus, '-m', await index(), '--set-allowed-modes=any');
      expect(Number((await modemKeys()).get('modem.generic.current-bands.length'))).toBeGreaterThan(40);
    }, 60_000);

    it('is refused by the forbidden network', async () => {
      await expect(mmcli(dbus, '-m', await index(), '--3gpp-register-in-operator=00104')).rejects.toThrow(/NetworkNotAllowed/);
      await mmcli(dbus, '-m', await index(), '--3gpp-register-home');
      await until('home again', async () => ((await modemKeys()).get('modem.3gpp.operator-code') === '00101' ? true : undefined));
    }, 60_000);

    it('blocks the PIN after three wrong ones and recovers it with the PUK', async () => {
      // The harness started PIN-locked: PIN1 is enabled.
      const card = (await modemKeys()).get('modem.generic.sim')!.split('/').pop()!;
      for (let i = 0; i < 3; i++) await mmcli(dbus, '-i', card, '--pin=0000', '--change-pin=1111').catch(() => undefined);
      // ModemManager probes the modem again and finds it locked.
      const locked = await until('PUK required', async () => {
        const k = await modemKeys();
        return k.get('modem.generic.unlock-required') === 'sim-puk' ? k : undefined;
      });
      expect(locked.get('modem.generic.unlock-retries.value[2]')).toBe('sim-puk (10)');
      const sim = locked.get('modem.generic.sim')!.split('/').pop()!;
      await expect(mmcli(dbus, '-i', sim, '--puk=00000000', '--pin=1234')).rejects.toThrow(/IncorrectPassword/);
      await mmcli(dbus, '-i', sim, '--puk=12345678', '--pin=1234');
      const unlocked = await until('unlocked', async () => {
        const k = await modemKeys();
        return k.get('modem.generic.state') === 'disabled' || k.get('modem.generic.state') === 'registered' ? k : undefined;
      }, 30_000);
      expect(unlocked.get('modem.generic.unlock-retries.value[1]')).toBe('sim-pin (3)');
    }, 90_000);

    it('switches to the eUICC in slot 2 and shows its EID', async () => {
      const { slots } = new ModemFirmware({ seed: 1, ...PROFILES[profile as ProfileName].firmware });
      const before = await index();
      await mmcli(dbus, '-m', before, '--set-primary-sim-slot=2');
      const m = await until('the modem on slot 2', async () => {
        const i = await modemIndex(dbus);
        const k = i !== undefined && i !== before ? keyed(await mmcli(dbus, '-K', '-m', i)) : undefined;
        return k?.get('modem.generic.primary-sim-slot') === '2' ? k : undefined;
      }, 40_000);
      const sim = keyed(await mmcli(dbus, '-K', '-i', m.get('modem.generic.sim')!.split('/').pop()!));
      expect(sim.get('sim.properties.active')).toBe('yes');
      expect(sim.get('sim.properties.iccid')).toBe(slots[1]!.iccid);
      expect(sim.get('sim.properties.eid')).toBe(slots[1]!.eid);
    }, 60_000);

    it('got an answer from the sim to everything it asked for the radio features', () => {
      expect(unanswered(h!.stderr())).toEqual([]);
    });
  }

  it('loses and finds the modem again after a reset in the sim', async () => {
    const before = await modemIndex(dbus);
    await run(process.execPath, [WWAN, 'sim', 'ctl', '--control', h!.ready.control, 'reset']);
    const after = await until('the modem again', async () => {
      const i = await modemIndex(dbus);
      return i !== undefined && i !== before ? i : undefined;
    }, 30_000);
    expect(Number(after)).toBeGreaterThan(Number(before));
  }, 40_000);

  it('removes the modem on a reported kernel remove event', async () => {
    await mmcli(dbus, `--report-kernel-event=action=remove,${control}`);
    await mmcli(dbus, '--report-kernel-event=action=remove,name=wwan0,subsystem=net');
    await until('no modem', async () => ((await mmcli(dbus, '-L')).includes('No modems were found') ? true : undefined));
  }, 30_000);
});

describe('wwan sim --with-modemmanager on bad input', () => {
  it('reports a missing ModemManager package and starts nothing', async () => {
    const r = await runToEnd(['--profile', 'qmi-rmnet', '--with-modemmanager'], { ...process.env, WWAN_MODEMMANAGER: '/nonexistent/ModemManager' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/ModemManager is missing: apt-get install modemmanager');
    expect(existsSync(join(tmpdir(), 'wwankit-modemmanager.pid'))).toBe(false);
  }, 20_000);

  it('reports a machine without namespaces and leaves nothing behind', async () => {
    // An unshare that fails as it does in a container without CAP_SYS_ADMIN.
    const bin = mkdtempSync(join(tmpdir(), 'no-ns-'));
    writeFileSync(join(bin, 'unshare'), '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n', { mode: 0o755 });
    const harnessDirs = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('wwan-mm-'));
    const before = harnessDirs();
    try {
      const r = await runToEnd(['--profile', 'qmi-usb', '--with-modemmanager'], { ...process.env, PATH: `${bin}:${process.env.PATH}` });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('unshare failed: Operation not permitted');
      expect(r.stderr).toContain('the harness ended before ModemManager listed the modem');
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
    expect(harnessDirs()).toEqual(before);
    expect(existsSync(join(tmpdir(), 'wwankit-modemmanager.pid'))).toBe(false);
  }, 20_000);

  it('ends with the reason and leaves nothing behind when ModemManager is killed', async () => {
    const h = await startHarness(['--profile', 'qmi-rmnet']);
    // 'close': stderr is read to its end.
    const exited = new Promise<number | null>((r) => h.child.once('close', r));
    const mm = h.ready.processes.find((p) => p.name === 'ModemManager')!;
    process.kill(mm.pid, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(h.stderr()).toContain('ModemManager exited unexpectedly (SIGKILL)');
    expectNothingLeft(h.ready);
  }, 60_000);

  it('stops cleanly when Ctrl-C reaches its whole process group twice', async () => {
    const h = await startHarness(['--profile', 'qmi-usb'], true);
    const exited = new Promise<number | null>((r) => h.child.once('close', r));
    // A terminal's Ctrl-C signals every process of the group; an impatient user presses it again.
    process.kill(-h.child.pid!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 5));
    process.kill(-h.child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(h.stderr()).toContain('[sim] stopped');
    expectNothingLeft(h.ready);
  }, 60_000);
});
