/**
 * C anchors: small programs of ours (bench/anchors/*.c) that time the reference implementation on
 * the very messages we time, built at bench time with cc and pkg-config into a cache folder keyed
 * by the source and the flags, and run beside our figures in the same run.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface AnchorFigure {
  name: string;
  opsPerSec: number;
}

/** Builds bench/anchors/<name>.c against pkg-config `pkg`; the reason when it cannot (no dev package, no cc). */
export async function buildAnchor(name: string, pkg: string): Promise<{ path: string } | { missing: string }> {
  let flags: string[];
  try {
    flags = (await exec('pkg-config', ['--cflags', '--libs', pkg])).stdout.trim().split(/\s+/);
  } catch {
    return { missing: `pkg-config ${pkg} (install its -dev package)` };
  }
  const source = join(import.meta.dirname, 'anchors', `${name}.c`);
  const key = createHash('sha256').update(readFileSync(source)).update(flags.join(' ')).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `wwankit-bench-anchors-${process.getuid?.() ?? 0}`);
  const path = join(dir, `${name}-${key}`);
  if (existsSync(path)) return { path };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    await exec('cc', ['-O2', '-o', path, source, ...flags]);
  } catch (e) {
    return { missing: `cc could not build ${name}.c: ${(e as Error).message.split('\n')[0]}` };
  }
  return { path };
}

/** Runs an anchor and reads its JSON lines, by figure name. */
export async function runAnchor(path: string, args: string[]): Promise<Map<string, AnchorFigure>> {
  const { stdout } = await exec(path, args);
  const out = new Map<string, AnchorFigure>();
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const f = JSON.parse(line) as AnchorFigure;
    out.set(f.name, f);
  }
  return out;
}
