/** `wwan mbimcli --pcap`: the real tshark must decode every control message as what was sent. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { run } from '../../src/cli/mbimcli/main.js';
import { createPty } from '../../src/transport/pty.js';
import { itWithTools } from '../support/tools.js';
import { exec } from './capture.js';
import { fixture } from './fixture.js';
import { mbimPeer } from './peer.js';

const itTshark = itWithTools(['tshark']);

describe('wwan mbimcli --pcap', () => {
  itTshark('writes exported PDUs that tshark dissects as mbim.control, nothing malformed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbim-pcap-'));
    const file = join(dir, 'c.pcap');
    const pty = createPty();
    mbimPeer(pty.transport, fixture);
    try {
      const connect = '--connect=access-string=internet,ip-type=ipv4,auth=pap,username=u,password=secret';
      const code = await run(['-d', pty.path, '--pcap', file, connect], { out: () => {}, err: () => {} });
      expect(code).toBe(0);
      const t = await exec('tshark', ['-r', file, '-V']);
      expect(t.code).toBe(0);
      const text = t.stdout;
      expect(text).not.toMatch(/Malformed|Expert Info \(Error/);
      const frames = text.split(/^Frame \d+:/m).slice(1);
      expect(frames.map((f) => /Message Type: (\w+)/.exec(f)?.[1])).toEqual([
        'OPEN_MSG', 'OPEN_DONE', 'COMMAND_MSG', 'COMMAND_DONE', 'COMMAND_MSG', 'COMMAND_DONE', 'CLOSE_MSG', 'CLOSE_DONE',
      ]);
      expect(frames.every((f) => f.includes('Protocol Name: mbim.control'))).toBe(true);
      const set = frames[2]!;
      expect(set).toContain('Device Service Id: UUID_BASIC_CONNECT');
      expect(set).toContain('CID: CONNECT (12)');
      expect(set).toContain('Command Type: Set (1)');
      expect(set).toMatch(/Access String: internet/);
      expect(set).toMatch(/User Name: u\b/);
      // The password is masked in the capture, length kept.
      expect(set).toMatch(/Password: \*{6}/);
      expect(text).not.toContain('secret');
      expect(set).toMatch(/IP Type: IPv4 \(1\)/);
      expect(set).toMatch(/Authentication Protocol: PAP/i);
      expect(set).toMatch(/Context Type: Internet/);
      expect(frames[4]).toContain('CID: IP_CONFIGURATION (15)');
      expect(frames[4]).toContain('Command Type: Query (0)');
      expect(frames[5]).toMatch(/IPv4 Address: 10\.64\.12\.2/);
      expect(frames[5]).toMatch(/IPv6 Gateway: 2001:db8:1:2::1/);
    } finally {
      await pty.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
