import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { WWAN } from '../support/capture.js';

const run = promisify(execFile);

describe('wwan demo', () => {
  it('connects two multiplexed PDNs, pings through each link, and ends with a JSON summary', async () => {
    const { stdout, stderr } = await run(process.execPath, [WWAN, 'demo', '--json'], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1)!);
    expect(summary.framing).toMatchObject({ framing: 'qmap', version: 5 });
    expect(summary.links).toHaveLength(2);
    const ids = summary.links.map((l: { linkId: number }) => l.linkId);
    expect(new Set(ids).size).toBe(2);
    for (const l of summary.links) {
      expect(l.name).toMatch(/^wwan0\.\d+$/);
      expect(l.addresses[0]).toMatch(/^10\.64\.\d+\.2\/24$/);
      expect(l.ping.sent).toBeGreaterThan(0);
      expect(l.ping.received).toBe(l.ping.sent);
      expect(l.ping.rttMs).toBeGreaterThan(0);
    }
    expect(stderr).toContain(summary.datapath === 'memory' ? 'in-memory datapath' : 'TUN');
  });
});
