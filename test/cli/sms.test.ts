/** `wwan sms` and `wwan sim ctl … sms` through the daemon, against two simulated modems of each control protocol. */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/server.js';
import { MemoryNetdev } from '../../src/net/memory.js';
import { PROFILES } from '../../src/sim/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { WWAN } from '../support/capture.js';

const run = promisify(execFile);

for (const profile of ['qmi-rmnet', 'mbim-usb'] as const) {
  describe(`wwan sms on ${profile}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'wwan-sms-'));
    const socket = join(dir, 'wwand.sock');
    let sim: Simulator;
    let daemon: Daemon;
    const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      run(process.execPath, [WWAN, ...args], { env: { ...process.env, WWAN_SOCKET: socket } }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );

    beforeAll(async () => {
      sim = await Simulator.start({ profile: PROFILES[profile], modems: 2, seed: 70, dir });
      daemon = await Daemon.start({ socket, netdev: async (_m, name) => new MemoryNetdev(name) });
      for (const m of sim.ready().modems) await daemon.manager.add({ id: m.id, control: PROFILES[profile].control, port: `unix:${m.ports[0]!.socket}` });
    });
    afterAll(async () => {
      await daemon.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a message from `wwan sim ctl sms` is an event for `wwan sms watch` and a row of `wwan sms list`; read, delete', async () => {
      const watcher = spawn(process.execPath, [WWAN, 'sms', 'watch', 'modem1', '--json', '--socket', socket]);
      const lines = createInterface({ input: watcher.stdout });
      const events: Record<string, unknown>[] = [];
      const received = new Promise<Record<string, unknown>>((resolve) =>
        lines.on('line', (l) => {
          const e = JSON.parse(l) as Record<string, unknown>;
          events.push(e);
          if (e.kind === 'received') resolve(e);
        }),
      );
      await new Promise<void>((resolve) => lines.once('line', () => resolve()));
      try {
        // Digits stay text; the sender is a name.
        const ctl = await cli('sim', 'ctl', '--control', sim.controlPath, 'sms', '--to', 'modem1', '--from', 'wwanBank', '--text', '007 says hi €');
        expect(ctl.code).toBe(0);
        expect(JSON.parse(ctl.stdout)).toMatchObject({ ok: true, modem: 'modem1', parts: 1, stored: 1 });
        const e = await received;
        expect(e).toMatchObject({ event: 'sms', modem: 'modem1', kind: 'received', message: { pduType: 'deliver', number: 'wwanBank', text: '007 says hi €', state: 'received' } });
        const id = (e.message as { id: number }).id;
        const list = await cli('sms', 'list', 'modem1');
        expect(list.stdout).toMatch(new RegExp(`^ID +TYPE +STATE +NUMBER +TIME +STORED +TEXT\\n${id} +deliver +received +wwanBank +\\d{4}-\\d\\d-\\d\\dT[\\d:]+\\+00:00 +me:\\d+ +007 says hi €\\n$`));
        const json = JSON.parse((await cli('sms', 'list', 'modem1', '--json')).stdout);
        expect(json.storages).toEqual(profile === 'qmi-rmnet' ? ['me', 'sm'] : ['me']);
        const read = await cli('sms', 'read', 'modem1', String(id));
        expect(read.stdout).toMatch(/^id +\d+\ntype +deliver\nstate +received\nnumber +wwanBank\n[\s\S]*\n\n007 says hi €\n$/);
        expect((await cli('sms', 'delete', 'modem1', String(id))).stdout).toBe(`deleted message ${id}\n`);
        expect((await cli('sms', 'list', 'modem1')).stdout).toMatch(/^no messages/);
        const gone = await cli('sms', 'read', 'modem1', String(id));
        expect([gone.code, gone.stderr]).toEqual([4, `wwan: no message ${id}; known: none\n`]);
      } finally {
        watcher.kill('SIGTERM');
      }
    });

    it('`wwan sms send` texts the other modem; the SMS center logs it; bad input is refused clearly', async () => {
      const to = sim.ready().modems[1]!.number;
      const sent = await cli('sms', 'send', 'modem0', '--to', to, '--text', 'ping from modem0', '--json');
      expect(sent.code).toBe(0);
      expect(JSON.parse(sent.stdout)).toMatchObject({ state: 'sent', number: to, total: 1, encoding: 'gsm7' });
      const log = JSON.parse((await cli('sim', 'ctl', '--control', sim.controlPath, 'sms-log')).stdout);
      expect(log.records.at(-1)).toMatchObject({ to, text: 'ping from modem0', deliveredTo: 'modem1' });
      const listed = JSON.parse((await cli('sms', 'list', 'modem1', '--json')).stdout);
      expect(listed.messages.map((m: { text: string }) => m.text)).toContain('ping from modem0');
      const bad = await cli('sms', 'send', 'modem0', '--to', 'not a number', '--text', 'x');
      expect([bad.code, bad.stderr]).toEqual([2, 'wwan: not a phone number: "not a number"\n']);
      expect((await cli('sms', 'send', 'modem0', '--to', to)).code).toBe(2);
      expect(JSON.parse((await cli('sms', 'smsc', 'modem0', '--set', '+15557654321', '--json')).stdout)).toEqual({ smsc: '+15557654321' });
    });
  });
}
