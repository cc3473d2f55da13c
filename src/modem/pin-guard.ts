/**
 * A PIN the SIM refused is never sent again on its own: every unlock attempt costs one of three tries,
 * and a daemon restarting with a wrong PIN file would lock the SIM to its PUK. ModemManager never
 * retries a refused PIN; neither do we, across restarts: the refusal is kept in a file (mode 0600)
 * keyed by the SIM (ICCID, or the modem's IMEI when the locked SIM does not show it) and a hash of the
 * PIN — never the PIN — so a changed PIN file is tried once again.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** With this many tries left the PIN is not sent automatically: a mistake would need the PUK. */
export const LAST_TRY = 1;

export class PinGuard {
  private refused: Record<string, string>;

  constructor(private readonly path: string | undefined) {
    this.refused = {};
    if (!path) return;
    try {
      const v = JSON.parse(readFileSync(path, 'utf8')) as { refused?: unknown };
      if (v.refused && typeof v.refused === 'object') this.refused = Object.fromEntries(Object.entries(v.refused).filter(([, h]) => typeof h === 'string')) as Record<string, string>;
    } catch {
      // No file yet (or an unreadable one): nothing refused so far.
    }
  }

  /** Why this PIN must not be sent to this SIM now, or undefined when it may be. */
  veto(sim: string, pin: string, retries: number | undefined): string | undefined {
    if (this.refused[sim] === hash(sim, pin)) return 'the SIM refused this PIN before; not sending it again until the PIN file changes';
    if (retries !== undefined && retries <= LAST_TRY) return `only ${retries} PIN ${retries === 1 ? 'try' : 'tries'} left; unlock by hand (a wrong PIN now needs the PUK)`;
    return undefined;
  }

  /** Remembers the refusal; false when its file could not be written (kept in memory only). */
  refusedBy(sim: string, pin: string): boolean {
    this.refused[sim] = hash(sim, pin);
    return this.save();
  }

  accepted(sim: string): void {
    if (!(sim in this.refused)) return;
    delete this.refused[sim];
    this.save();
  }

  /** False when writing the file failed (the refusals still hold for this daemon's life). */
  private save(): boolean {
    if (!this.path) return true;
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      // 'wx': never through something already at the temporary name (a symlink planted there).
      writeFileSync(tmp, `${JSON.stringify({ refused: this.refused })}\n`, { mode: 0o600, flag: 'wx' });
      renameSync(tmp, this.path);
      return true;
    } catch {
      rmSync(tmp, { force: true });
      return false;
    }
  }
}

const hash = (sim: string, pin: string): string => createHash('sha256').update(`wwankit refused PIN\0${sim}\0${pin}`).digest('hex');
