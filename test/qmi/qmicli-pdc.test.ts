/**
 * `wwan qmicli`'s PDC operations against the real qmicli 1.32, both driving the simulator (requests,
 * output, exit codes): listing, loading, deleting, (de)activating carrier configurations, with bad
 * arguments and the modem's refusals.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { pdc } from '../../src/qmi/services/pdc.js';
import { WWAN } from '../support/capture.js';
import { expectSameAsQmicli } from '../support/qmicli-compare.js';
import { expectSameMonitor } from '../support/qmicli-monitor.js';
import { itWithTools } from '../support/tools.js';

const itq = itWithTools(['qmicli']);

const dir = mkdtempSync(join(tmpdir(), 'wwankit-pdc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A configuration file of `size` bytes (three chunks and a bit for 3000). */
function mbn(name: string, size: number): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + 3) & 0xff)));
  return path;
}

const VERIZON = '30:30:32:2E:30:32:39:5F:30:30:30:00:00:00:00:00';
const GENERIC = '3030322e3032365f303030' + '00'.repeat(5);

describe('wwan qmicli PDC matches qmicli 1.32', () => {
  itq('lists the software configurations (one active) and none of the platform type', async () => {
    const { real } = await expectSameAsQmicli([['--pdc-list-configs=software'], ['--pdc-list-configs=platform']]);
    expect(real[0]!.stdout).toMatch(/^Total configurations: 3\nConfiguration 1:\n\tDescription: ROW_Generic_3GPP\n/);
    expect(real[0]!.stdout.match(/Status: +Active/g)).toHaveLength(1);
    // The modem has no platform configurations: an empty list, which qmicli prints as 0.
    expect(real[1]!.stdout).toBe('Total configurations: 0\n');
  }, 30_000);

  itq('loads a file in 1 KiB chunks, lists it, deletes it; a second load of the same file is refused', async () => {
    const file = mbn('carrier.mbn', 3000);
    const { real } = await expectSameAsQmicli([
      ['--pdc-load-config', file],
      ['--pdc-list-configs=software'],
      ['--pdc-load-config', file],
      ['--pdc-delete-config=software,000102'],
      [`--pdc-delete-config=software,${GENERIC}`],
      ['--pdc-list-configs=software'],
    ]);
    expect(real[0]!.stdout).toBe(
      'Uploaded 0  of 3000\nLoading next chunk (1976 bytes remaining)\nUploaded 1024  of 3000\nLoading next chunk (952 bytes remaining)\nUploaded 2048  of 3000\nFinished loading\n',
    );
    expect(real[1]!.stdout).toMatch(/Total configurations: 4\n[^]*Description: MBN_/);
    expect(real[2]!.code).toBe(1);
    expect(real[2]!.stderr).toMatch(/couldn't load config: NoEffect/);
    // Unknown id; then the running configuration, which stays.
    expect(real[3]!.stderr).toMatch(/NoEntry/);
    expect(real[4]!.stderr).toMatch(/InvalidOperation/);
  }, 60_000);

  itq('deletes a stored configuration by its id', async () => {
    const { real } = await expectSameAsQmicli([[`--pdc-delete-config=software,${VERIZON}`], ['--pdc-list-configs=software'], [`--pdc-delete-config=software,${VERIZON}`]]);
    expect(real[0]!.stdout).toBe('[DEV] Successfully deleted config\n');
    expect(real[1]!.stdout).toMatch(/^Total configurations: 2\n/);
    expect(real[2]!.code).toBe(1);
  }, 30_000);

  itq('deactivates the running configuration, after which nothing runs and a second deactivation has no effect', async () => {
    const { real } = await expectSameAsQmicli([['--pdc-deactivate-config=software,00'], ['--pdc-list-configs=software'], ['--pdc-deactivate-config=software,00'], ['--pdc-deactivate-config=platform,']]);
    expect(real[0]!.stdout).toBe('[DEV] Successfully requested config deactivation\n');
    expect(real[1]!.stdout).not.toMatch(/Active/);
    expect(real[2]!.stderr).toMatch(/couldn't deactivate config: NoEffect/);
    expect(real[3]!.code).toBe(1);
  }, 30_000);

  itq('activates a stored configuration (selected, then the modem resets into it); an unknown id is refused', async () => {
    const { real } = await expectSameAsQmicli([['--pdc-activate-config=software,0102'], [`--pdc-activate-config=software,${VERIZON}`]]);
    expect(real[0]!.stderr).toMatch(/couldn't set selected config: NoEntry/);
    expect(real[1]!.stdout).toBe('[DEV] Successfully requested config activation\n');
  }, 30_000);

  itq('refuses bad arguments as qmicli does', async () => {
    const { real } = await expectSameAsQmicli([
      ['--pdc-list-configs=bogus'],
      ['--pdc-delete-config=software'],
      ['--pdc-delete-config='],
      ['--pdc-delete-config=software,1,2'],
      ['--pdc-delete-config=carrier,00'],
      ['--pdc-activate-config=software,0g'],
      ['--pdc-activate-config=software,abc'],
      ['--pdc-deactivate-config=platform'],
      ['--pdc-load-config', join(dir, 'missing.mbn')],
      ['--pdc-load-config', mbn('empty.mbn', 0)],
      ['--pdc-noop'],
      // Two actions: of one service, named as the first such service in qmicli's order, else refused as a mix.
      ['--pdc-noop', '--pdc-list-configs=software'],
      ['--nas-get-drx', '--pdc-noop', '--pdc-list-configs=software'],
      ['--dms-get-ids', '--dms-get-model', '--pdc-noop', '--pdc-list-configs=software'],
      ['--dms-get-ids', '--pdc-noop'],
    ]);
    expect([...real.slice(0, 10), ...real.slice(11)].every((r) => r.code === 1)).toBe(true);
    expect(real[4]!.stderr.trim()).toBe("error: invalid configuration type value given: 'carrier'\nIncorrect id specified: carrier");
    expect(real[5]!.stderr.trim()).toBe('Incorrect config type specified: 0g');
    expect(real[8]!.stderr).toMatch(/couldn't map config file: 'Failed to open file .*missing\.mbn.*No such file or directory'/);
    expect(real[10]!.code).toBe(0);
    expect(real.slice(11).map((r) => r.stderr.trim())).toEqual([
      'error: too many PDC actions requested',
      'error: too many PDC actions requested',
      'error: too many DMS actions requested',
      'error: cannot execute multiple actions of different services',
    ]);
  }, 60_000);

  itq('monitors refresh events: a SIM slot switch refreshes the configuration for the new card, until Ctrl-C', async () => {
    const real = await expectSameMonitor(
      ['--pdc-monitor-refresh'],
      pdc.messages.register.id,
      'Received refresh indication',
      [
        [(fw) => fw.switchSlot(2), 2],
        [(fw) => fw.switchSlot(1), 2],
      ],
      pdc.id,
    );
    expect(real.stdout).toContain('Received event type complete, subscription ID: 0, slot ID: 1\n');
  }, 60_000);
});

describe('wwan qmicli argument checks before the device opens, as qmicli 1.32', () => {
  const both = (args: string[]) => Promise.all([run('qmicli', args), run(process.execPath, [WWAN, 'qmicli', ...args])]);
  itq('wants the device path before it looks at the actions', async () => {
    for (const args of [[], ['--pdc-noop', '--pdc-list-configs=software'], ['--wds-follow-network']]) {
      const [real, ours] = await both(args);
      expect(ours).toEqual(real);
      expect(real.stderr).toBe('error: no device path specified\n');
    }
  });
});

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => execFile(cmd, args, (err, _out, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr })));
}
