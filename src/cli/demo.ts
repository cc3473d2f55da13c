/**
 * `wwan demo`, README's main job: a daemon with a built-in simulated modem (qmi-rmnet), two PDNs
 * multiplexed with QMAP, the links and their addresses, a ping through each link, and a summary.
 * With --json the last stdout line is the summary as JSON.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Bearer } from '../modem/modem.js';
import { MemoryNetdev } from '../net/memory.js';
import { pingThrough, type PingResult } from '../net/ping.js';
import { table } from './manage.js';
import { chooseNetdevs } from './netdevs.js';

const exec = promisify(execFile);

interface DemoLink {
  name: string;
  linkId: number;
  apn: string;
  addresses: string[];
  ping: PingResult;
}

/** Real ping through a kernel-visible netdev (TUN). */
async function systemPing(dev: string, to: string, count: number): Promise<PingResult> {
  const r = await exec('ping', ['-c', String(count), '-i', '0.2', '-W', '1', '-I', dev, to]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const sent = Number(/(\d+) packets transmitted/.exec(r.stdout)?.[1] ?? count);
  const received = Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
  const avg = /= [\d.]+\/([\d.]+)\//.exec(r.stdout)?.[1];
  return { sent, received, rttMs: avg === undefined ? null : Number(avg) };
}

function hasPing(): boolean {
  return spawnSync('ping', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function runDemo(json: boolean): Promise<number> {
  const [{ SimHost }, { Daemon }] = await Promise.all([import('./sim-host.js'), import('../daemon/server.js')]);
  const say = (text: string): void => void (json ? process.stderr : process.stdout).write(text);
  const dir = mkdtempSync(join(tmpdir(), 'wwan-demo-'));
  // TUN links are pinged with the system's ping; without it the in-memory datapath pings by itself.
  const choice = await chooseNetdevs(hasPing() ? undefined : 'memory');
  say(`wwankit demo: a simulated qmi-rmnet modem, two PDNs multiplexed with QMAP\n${choice.note}\n\n`);
  const daemon = await Daemon.start({ socket: join(dir, 'wwand.sock'), netdev: choice.factory, datapathThread: choice.datapathThread });
  const sims = await SimHost.start(daemon, ['qmi-rmnet']).catch(async (e: unknown) => {
    await daemon.stop();
    throw e;
  });
  try {
    const modem = daemon.manager.get('sim0');
    const info = modem.info!;
    say(`modem sim0: ${info.identity.manufacturer} ${info.identity.model}, IMEI ${info.identity.imei}\n`);
    say(`  SIM ${info.sim.status}, ${info.registration.state} on ${info.registration.operator?.name ?? '?'} (${info.registration.tech ?? '?'}), RSRP ${info.signal.rsrp ?? '?'} dBm\n`);
    const bearers: Bearer[] = [];
    for (const apn of ['internet', 'ims']) {
      say(`connecting APN ${apn}… `);
      const b = await modem.connect({ apns: [apn], ipType: 'ipv4', multiplex: 'required' });
      say(`link ${b.linkId} up\n`);
      bearers.push(b);
    }
    const format = modem.datapath!.format;
    say(`\ndata format negotiated with WDA: ${format.framing === 'qmap' ? `QMAPv${format.version}, uplink aggregation up to ${format.maxDatagrams} packets / ${format.maxBytes} bytes` : format.framing}\n\n`);
    const links: DemoLink[] = [];
    for (const b of bearers) {
      const dev = b.netdev!;
      const v4 = b.connected!.ipv4!;
      const ping = dev instanceof MemoryNetdev ? await pingThrough(dev, v4.address, v4.gateway!) : await systemPing(dev.name, v4.gateway!, 3);
      links.push({ name: dev.name, linkId: b.linkId, apn: b.connected!.apn, addresses: [`${v4.address}/${v4.prefix}`], ping });
    }
    say(
      table([
        ['LINK', 'MUX ID', 'APN', 'ADDRESS', 'GATEWAY', 'PING'],
        ...links.map((l, i) => [l.name, l.linkId, l.apn, l.addresses[0], bearers[i]!.connected!.ipv4!.gateway, `${l.ping.received}/${l.ping.sent}${l.ping.rttMs !== null ? `, ${l.ping.rttMs} ms` : ''}`]),
      ]),
    );
    const ok = links.every((l) => l.ping.received === l.ping.sent);
    say(`\n${ok ? 'every link answered' : 'some pings were lost'}: ${links.length} links over one data pipe (${format.framing}), ${choice.backend} datapath\n`);
    const summary = { links, framing: format, datapath: choice.backend, modem: { model: info.identity.model, imei: info.identity.imei } };
    if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return ok ? 0 : 1;
  } finally {
    await daemon.stop();
    await sims.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
