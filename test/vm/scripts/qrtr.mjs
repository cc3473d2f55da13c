// Inside `wwan vm run --qrtr --modems 0`: the simulated modem published on the local QRTR node, driven
// by the real qmicli and by `wwan qmicli` through `qrtr://N`, compared with the real qmicli on the same
// modem's pseudo-terminal (the cdc-wdm path); then bad input, then `wwan daemon` finding the QRTR
// modem, seeing it go when the simulator stops and come back when it starts again.
// Prints one line `RESULT {json}` that test/vm/qrtr.test.ts checks.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dist = (p) => import(join(root, 'dist', p));
const { Simulator } = await dist('sim/simulator.js');
const { PROFILES } = await dist('sim/profiles.js');
const { QmiDevice, QmiClosedError, QmiTimeoutError } = await dist('qmi/client.js');
const { dms } = await dist('qmi/services/dms.js');
const { openQrtrQmuxPort } = await dist('transport/qrtr-qmux.js');
const { QrtrSocket } = await dist('transport/qrtr.js');
const { splitTlvs } = await dist('qmi/qmux.js');
// `wwan qmicli` in this process: the function bin/wwan.js runs, without a node start per step (slow under TCG).
const { run: wwanQmicli } = await dist('cli/qmicli/main.js');
const { DaemonClient } = await dist('daemon/client.js');

const out = {};
const t00 = Date.now();
const note = (what) => process.stderr.write(`[qrtr ${((Date.now() - t00) / 1000).toFixed(1)} s] ${what} ${JSON.stringify(out).slice(-400)}\n`);
const run = (cmd, args, timeout = 60_000) =>
  new Promise((resolve) => execFile(cmd, args, { timeout }, (e, stdout, stderr) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr })));
const fds = () => readdirSync('/proc/self/fd').length;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const start = () => Simulator.start({ profile: PROFILES['qmi-usb'], qrtr: true, log: () => undefined });

let sim = await start();
const node = sim.qrtr[0].node;
const dev = `qrtr://${node}`;
const modem = sim.modems[0];
const pty = modem.ports[0].path;
out.node = node;
out.ports = Object.fromEntries(sim.qrtr[0].ports);

// What a tool sent the modem: service/message with TLVs sorted, as the pty compat tests compare.
const requestsSince = (before) =>
  modem.endpoint.requests.slice(before).map((f) => {
    const t = splitTlvs(f.tlvs);
    return `${f.service}/0x${f.messageId.toString(16)} ${t.ok ? t.value.map((x) => `0x${x.type.toString(16)}=${Buffer.from(x.value).toString('hex')}`).sort().join(' ') : 'invalid'}`;
  });
async function inProcess(argv) {
  let stdout = '';
  let stderr = '';
  const code = await wwanQmicli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}
async function steps(tool, device, list) {
  const runs = [];
  let cid;
  let handle;
  for (const args0 of list) {
    const args = args0.map((a) => a.replace('CID', String(cid)).replace('HANDLE', String(handle)));
    const before = modem.endpoint.requests.length;
    const base = [...(device === pty ? ['--device-open-qmi'] : []), '-d', device, ...args];
    const r = tool === 'qmicli' ? await run('qmicli', base) : await inProcess(base);
    cid = /CID: '(\d+)'/.exec(r.stdout)?.[1] ?? cid;
    handle = /Packet data handle: '(\d+)'/.exec(r.stdout)?.[1] ?? handle;
    runs.push({ code: r.code, stdout: r.stdout.replaceAll(device, 'DEV'), stderr: r.stderr.trim(), requests: requestsSince(before) });
  }
  return runs;
}
// Over QRTR a client id lives as long as the process's socket (the modem releases it on DEL_CLIENT), so a
// call is stopped by handle from a new client; a kept id reused by a later process fails (libqmi: too).
const flow = [
  ['--dms-get-ids'],
  ['--nas-get-signal-strength'],
  ['--wds-start-network=apn=internet,ip-type=4'],
  ['--wds-stop-network=HANDLE'],
  ['--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid'],
  ['--wds-get-packet-service-status', '--client-cid=CID'],
];
note('qmicli over qrtr');
out.qrtrQmicli = await steps('qmicli', dev, flow);
note('qmicli over the pty');
out.ptyQmicli = await steps('qmicli', pty, flow);
note('wwan qmicli over qrtr');
out.qrtrWwan = await steps('wwan', dev, flow);
out.clientsAfterTools = sim.qrtr[0].clientCount;

note('bad input');
// Bad input. Garbage from a stranger's QRTR socket to the DMS port: dropped and counted, the modem answers on.
const stranger = QrtrSocket.open();
const dmsPort = sim.qrtr[0].ports.get(2);
const droppedBefore = sim.qrtr[0].stats.dropped;
stranger.send({ node, port: dmsPort }, new Uint8Array([0x00, 0x01]));
stranger.send({ node, port: dmsPort }, new Uint8Array([0x00, 0x01, 0x00, 0x25, 0x00, 0x40, 0x00, 0x01]));
stranger.close();
// The modem's own garbage to its host connections (the malformed-control fault) must not wedge the node either.
sim.fault({ fault: 'malformed-control' });
await sleep(300);
out.strangerDropped = sim.qrtr[0].stats.dropped - droppedBefore;
out.afterGarbage = (await run('qmicli', ['-d', dev, '--dms-get-model'])).stdout.trim();

note('typed errors');
// A node with no services, and a service that never answers: typed errors, every socket closed after.
const fdsBefore = fds();
out.noNode = await openQrtrQmuxPort(4242, { lookupTimeoutMs: 3000 }).then(() => 'opened', (e) => `${e.name}: ${e.message}`);
{
  const device = await QmiDevice.open(await openQrtrQmuxPort(node), { timeoutMs: 1500 });
  const client = await device.allocateClient(dms);
  sim.fault({ fault: 'drop-responses', count: 1 });
  out.silent = await client.request(dms.messages.getIds, {}).then(() => 'answered', (e) => `${e instanceof QmiTimeoutError}: ${e.message}`);
  out.answersAfterSilence = (await client.request(dms.messages.getIds, {})).imei;
  await device.close(1000);
}
await sleep(300);
out.fdsLeaked = fds() - fdsBefore;
out.clientsAfterClose = sim.qrtr[0].clientCount;
{
  // The server vanishes mid-request: the waiting request fails at once with the reason, not at its timeout.
  sim.fault({ fault: 'drop-responses', count: 1 });
  const port = await openQrtrQmuxPort(node);
  const device = await QmiDevice.open(port, { timeoutMs: 20_000 });
  const client = await device.allocateClient(dms);
  const t0 = Date.now();
  const pending = client.request(dms.messages.getIds, {}).then(() => 'answered', (e) => `${e instanceof QmiClosedError}: ${e.message}`);
  await sleep(200);
  await sim.stop();
  out.vanished = await pending;
  out.vanishedMs = Date.now() - t0;
  out.vanishedPort = { closed: port.closed, clients: port.clientCount };
  await device.close(200);
}

note('daemon');
// The daemon: finds the QRTR modem, drops it when the simulator stops, finds it again after a restart.
const socket = '/run/wwan-qrtr-test.sock';
sim = await start();
const daemon = spawn('wwan', ['daemon', '--socket', socket], { stdio: ['ignore', 'ignore', 'pipe'] });
let daemonLog = '';
daemon.stderr.on('data', (c) => (daemonLog += c));
for (let i = 0; i < 900 && !existsSync(socket); i++) await sleep(100);
const client = await DaemonClient.connect(socket).catch(() => undefined);
const list = async () => (client ? client.call('list').catch(() => []) : []);
const waitFor = async (what, ok, seconds) => {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const l = await list();
    if (ok(l)) return l;
    if (Date.now() > until) return `${what}: not within ${seconds} s: ${JSON.stringify(l)}`;
    await sleep(1000);
  }
};
const qrtrModem = (l) => (Array.isArray(l) ? l.find((m) => m.id === `qrtr${node}`) : undefined);
const found = await waitFor('found', (l) => qrtrModem(l)?.state === 'registered', 120);
out.daemonFound = typeof found === 'string' ? found : { state: qrtrModem(found).state, imei: qrtrModem(found).imei };
note('daemon found: stopping the simulator');
await sim.stop();
const gone = await waitFor('gone', (l) => Array.isArray(l) && !qrtrModem(l), 60);
out.daemonGone = typeof gone === 'string' ? gone : 'gone';
note('daemon saw it go: restarting the simulator');
sim = await start();
const back = await waitFor('back', (l) => qrtrModem(l)?.state === 'registered', 90);
out.daemonBack = typeof back === 'string' ? back : qrtrModem(back).state;
note('daemon saw it back');
client?.close();
daemon.kill('SIGTERM');
await new Promise((r) => daemon.once('exit', r));
out.daemonLog = daemonLog.split('\n').filter((l) => /qrtr/i.test(l)).slice(-8);
await sim.stop();
process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
process.exit(0);
