/**
 * Regression (issue 18, finding 5): the daemon replaced whatever sat at its socket path. Only a stale
 * socket may go; a file, a symlink or a live socket is refused with a clear message and a non-zero exit.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { readStateFile, writeStateFile } from '../../src/daemon/state-file.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { WWAN } from '../support/capture.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), `wwan-sockpath-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `wwan daemon` on `socket`: its exit code and stderr if it refuses, or 'listening' (then stopped with SIGTERM). */
function daemon(socket: string): Promise<{ code: number | null; stderr: string; listened: boolean }> {
  const child = spawn(process.execPath, [WWAN, 'daemon', '--socket', socket, '--no-discover', '--netdev', 'memory'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let listened = false;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (l) => {
    if ((JSON.parse(l) as { event: string }).event !== 'listening') return;
    listened = true;
    void run(process.execPath, [WWAN, 'status', '--json', '--socket', socket]).finally(() => child.kill('SIGTERM'));
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, listened })));
}

/** A socket file nobody listens on: bound, never listened (connect is refused), as a killed daemon leaves it. */
async function staleSocket(path: string): Promise<void> {
  await run('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
  expect(lstatSync(path).isSocket()).toBe(true);
}

describe('the daemon claims its socket path safely', () => {
  it('refuses a regular file there and leaves it as it was', async () => {
    const f = join(dir, 'file');
    writeFileSync(f, 'data\n');
    const r = await daemon(f);
    expect(r.listened).toBe(false);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${f} is a regular file, not a socket; refusing to replace it`);
    expect(readFileSync(f, 'utf8')).toBe('data\n');
  });

  it('refuses a symlink to a file, and leaves both', async () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'keep\n');
    const link = join(dir, 'link');
    symlinkSync(target, link);
    const r = await daemon(link);
    expect([r.listened, r.code === 0]).toEqual([false, false]);
    expect(r.stderr).toContain('is a symbolic link, not a socket');
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
  });

  it('refuses a live daemon’s socket, directly or through a symlink, and that daemon keeps answering', async () => {
    const live = join(dir, 'live.sock');
    const first = await Daemon.start({ socket: live, netdev: async (_m, n) => new MemoryNetdev(n) });
    try {
      const direct = await daemon(live);
      expect([direct.listened, direct.code === 0]).toEqual([false, false]);
      expect(direct.stderr).toContain(`another daemon is listening on ${live}`);
      const link = join(dir, 'live-link');
      symlinkSync(live, link);
      const viaLink = await daemon(link);
      expect([viaLink.listened, viaLink.code === 0]).toEqual([false, false]);
      expect(viaLink.stderr).toContain('is a symbolic link, not a socket');
      expect(lstatSync(live).isSocket()).toBe(true);
      const status = JSON.parse((await run(process.execPath, [WWAN, 'status', '--json', '--socket', live])).stdout) as { pid: number };
      expect(status.pid).toBe(process.pid);
    } finally {
      await first.stop();
    }
  });

  it('replaces a stale socket (its daemon died) and serves', async () => {
    const stale = join(dir, 'stale.sock');
    await staleSocket(stale);
    const r = await daemon(stale);
    expect(r.listened).toBe(true);
    expect(r.code).toBe(0);
  });
});

describe('the state file', () => {
  it('is written through a fresh file: a symlink planted at its path is replaced, its target untouched', () => {
    const target = join(dir, 'victim');
    writeFileSync(target, 'precious\n');
    const state = join(dir, 'wwand.state.json');
    symlinkSync(target, state);
    expect(() => readStateFile(state)).toThrow(/not a regular file owned by this user/);
    writeStateFile(state, '{"links":[]}');
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(lstatSync(state).isFile()).toBe(true);
    expect(readStateFile(state)).toBe('{"links":[]}');
  });
});
