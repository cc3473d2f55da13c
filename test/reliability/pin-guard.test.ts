/** Issue 18, finding 3 in process: the refused-PIN memory, its file, and the last-try rule. */
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PinGuard } from '../../src/modem/pin-guard.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('PinGuard', () => {
  it('keeps a refusal across instances, in a 0600 file holding no PIN, until another PIN is configured', () => {
    dir = mkdtempSync(join(tmpdir(), 'wwan-pin-'));
    const file = join(dir, 'refused.json');
    expect(new PinGuard(file).veto('8988', '0000', 3)).toBeUndefined();
    expect(new PinGuard(file).refusedBy('8988', '0000')).toBe(true);
    expect(new PinGuard(file).veto('8988', '0000', 2)).toMatch(/refused this PIN before/);
    expect(new PinGuard(file).veto('8988', '1357', 2)).toBeUndefined();
    expect(new PinGuard(file).veto('other-sim', '0000', 2)).toBeUndefined();
    expect(readFileSync(file, 'utf8')).not.toContain('0000');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const g = new PinGuard(file);
    g.accepted('8988');
    expect(new PinGuard(file).veto('8988', '0000', 2)).toBeUndefined();
  });

  it('sends nothing on its own with one try left', () => {
    expect(new PinGuard(undefined).veto('8988', '1357', 1)).toMatch(/only 1 PIN try left/);
    expect(new PinGuard(undefined).veto('8988', '1357', 0)).toMatch(/only 0 PIN tries left/);
  });

  it('does not write through a symlink planted at its temporary name, and says it could not write', () => {
    dir = mkdtempSync(join(tmpdir(), 'wwan-pin-'));
    const file = join(dir, 'refused.json');
    symlinkSync(join(dir, 'elsewhere'), `${file}.${process.pid}.tmp`);
    const g = new PinGuard(file);
    expect(g.refusedBy('8988', '0000')).toBe(false);
    expect(g.veto('8988', '0000', 2)).toMatch(/refused this PIN before/);
    expect(() => statSync(join(dir!, 'elsewhere'))).toThrow();
  });
});
