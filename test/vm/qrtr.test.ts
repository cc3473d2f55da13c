/**
 * QMI over QRTR under Debian's kernel (`wwan vm run --qrtr`): the simulator publishes its QMI services
 * on the local node through the kernel's name service; the real qmicli (`-d qrtr://N`), `wwan qmicli`
 * and `wwan daemon` find and drive it. One VM run (slow under TCG): test/vm/scripts/qrtr.mjs does
 * every check inside and prints what it saw; Debian's ModemManager has a second run of its own
 * (test/vm/scripts/qrtr-modemmanager.sh).
 */
import { describe, expect } from 'vitest';
import { itWithVm, keyValues, vmRun } from '../support/vm.js';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { PROFILES } from '../../src/sim/profiles.js';

const vmIt = itWithVm();
const MINUTES = 60_000;
/** The simulator's modem as `wwan sim --profile qmi-usb` makes it (seed 1). */
const FIRMWARE = new ModemFirmware({ seed: 1, ...PROFILES['qmi-usb'].firmware });
const IMEI = FIRMWARE.identity.imei;

interface Step {
  code: number;
  stdout: string;
  stderr: string;
  requests: string[];
}
interface Result {
  node: number;
  ports: Record<string, number>;
  qrtrQmicli: Step[];
  ptyQmicli: Step[];
  qrtrWwan: Step[];
  clientsAfterTools: number;
  strangerDropped: number;
  afterGarbage: string;
  noNode: string;
  silent: string;
  answersAfterSilence: string;
  fdsLeaked: number;
  clientsAfterClose: number;
  vanished: string;
  vanishedMs: number;
  vanishedPort: { closed: boolean; clients: number };
  daemonFound: { state: string; imei: string } | string;
  daemonGone: string;
  daemonBack: string;
}

/** Call handles and signal figures change from run to run; everything else must match. */
const shape = (s: string): string => s.replace(/'-?\d+(\.\d+)?( dBm| dB)?'/g, "'N'");
/** Step 4 stops the call step 3 started: its request carries that call's handle (u32 LE), which differs per run. */
function handleOf(steps: Step[]): string[] {
  const handle = Number(/Packet data handle: '(\d+)'/.exec(steps[2]!.stdout)?.[1]);
  const le = Buffer.alloc(4);
  le.writeUInt32LE(handle);
  expect(steps[3]!.requests).toEqual([`1/0x21 0x1=${le.toString('hex')}`]);
  return steps.map((st, i) => (i === 3 ? ['1/0x21 0x1=HANDLE'] : st.requests)).flat();
}
/** libqmi warns that a pseudo-terminal is no known transport; the rest of stderr must match. */
const withoutWarnings = (s: string): string => s.split('\n').filter((l) => !/-Warning \*\*/.test(l)).join('\n').trim();

describe.sequential('QMI over QRTR, the simulator as a QRTR node under the real kernel', () => {
  vmIt('qmicli -d qrtr://N, wwan qmicli and wwan daemon against wwan sim --qrtr; bad input', { timeout: 9 * MINUTES }, async () => {
    const r = await vmRun(['--qrtr', '--modems', '0'], ['node', 'test/vm/scripts/qrtr.mjs'], 480);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, r.stderr).toBeDefined();
    const o = JSON.parse(line!.slice(7)) as Result;

    // Published with the instances modems use (version | instance << 8), each service on its own port.
    expect(Object.keys(o.ports).map(Number).sort((a, b) => a - b)).toEqual([1, 2, 3, 5, 11, 26, 36]);
    expect(new Set(Object.values(o.ports)).size).toBe(7);

    // The real qmicli over QRTR: the same output as over the modem's character-device path.
    const [ids, signal, start, stop, keep, reuse] = o.qrtrQmicli;
    expect(ids!.code, ids!.stderr).toBe(0);
    expect(ids!.stdout).toContain(`IMEI: '${IMEI}'`);
    expect(signal!.stdout).toMatch(/Network 'lte': '-\d+ dBm'/);
    expect(start!.stdout).toMatch(/Packet data handle: '\d+'/);
    // The call ended with the client that started it (released as qmicli exited): stopping it by handle
    // from a new client is refused, over QRTR as over the character device.
    expect(stop!.code).toBe(1);
    expect(stop!.stderr).toMatch(/InvalidHandle/);
    expect(keep!.stdout).toContain("CID: '1'");
    for (let i = 0; i < 5; i++) {
      expect(shape(o.qrtrQmicli[i]!.stdout), `step ${i + 1}`).toBe(shape(o.ptyQmicli[i]!.stdout));
      expect(o.qrtrQmicli[i]!.code, `step ${i + 1}`).toBe(o.ptyQmicli[i]!.code);
      expect(withoutWarnings(o.qrtrQmicli[i]!.stderr), `step ${i + 1}`).toBe(withoutWarnings(o.ptyQmicli[i]!.stderr));
    }
    expect(handleOf(o.qrtrQmicli.slice(0, 5))).toEqual(handleOf(o.ptyQmicli.slice(0, 5)));
    // A client id outlives its process on a character device, not on QRTR: libqmi refuses it, so do we.
    expect(o.ptyQmicli[5]!.code).toBe(0);
    expect(reuse!.code).not.toBe(0);
    expect(o.qrtrWwan[5]!.code).not.toBe(0);
    expect(o.qrtrWwan[5]!.stderr).toMatch(/no client 1 of service 1/);

    // wwan qmicli sends what qmicli sends, and prints the same.
    expect(handleOf(o.qrtrWwan.slice(0, 5))).toEqual(handleOf(o.qrtrQmicli.slice(0, 5)));
    for (let i = 0; i < 5; i++) {
      expect(shape(o.qrtrWwan[i]!.stdout), `step ${i + 1}`).toBe(shape(o.qrtrQmicli[i]!.stdout));
      expect(o.qrtrWwan[i]!.code).toBe(o.qrtrQmicli[i]!.code);
      expect(o.qrtrWwan[i]!.stderr, `step ${i + 1}`).toBe(o.qrtrQmicli[i]!.stderr);
    }
    // Every client the tools used was released when they went (DEL_CLIENT or Release CID).
    expect(o.clientsAfterTools).toBe(0);

    // Bad input: garbage from a stranger's socket is dropped and counted; the modem answers on.
    expect(o.strangerDropped).toBe(2);
    expect(o.afterGarbage).toContain("Model: 'EC25'");
    expect(o.noNode).toBe('QrtrError: no QMI services on QRTR node 4242');
    expect(o.silent).toMatch(/^true: DMS getIds \(0x0025\) timed out after 1.5 s without a response from qrtr:\/\/\d+$/);
    expect(o.answersAfterSilence).toBe(IMEI);
    expect(o.fdsLeaked).toBe(0);
    expect(o.clientsAfterClose).toBe(0);
    // The server vanishes mid-request: a typed error naming the reason, long before the 20 s timeout.
    expect(o.vanished).toMatch(/^true: qrtr:\/\/\d+ closed: QRTR node \d+: service \d+ at port \d+ left$/);
    expect(o.vanishedMs).toBeLessThan(10_000);
    expect(o.vanishedPort).toEqual({ closed: true, clients: 0 });

    // wwan daemon: finds the QRTR modem and probes it, drops it when the simulator stops, finds it again.
    expect(o.daemonFound).toEqual({ state: 'registered', imei: IMEI });
    expect(o.daemonGone).toBe('gone');
    expect(o.daemonBack).toBe('registered');
    process.stderr.write(`[vm] qrtr scenario: ${r.seconds.toFixed(1)} s\n`);
  });

  // ModemManager auto-scans (with the real udevd): its QRTR watcher reports nodes only then. What it
  // needs besides (a net port tagged qcom-soc, probed with the QRTR port) is in the script's header.
  vmIt('Debian\'s ModemManager finds the QRTR modem (qcom-soc), enables it to registered, drops it when it leaves', { timeout: 9 * MINUTES }, async () => {
    const r = await vmRun(['--qrtr', '--modems', '0'], ['bash', 'test/vm/scripts/qrtr-modemmanager.sh'], 480);
    expect(r.code, r.stderr.slice(-4000)).toBe(0);
    const kv = keyValues(r.stdout);
    const { manufacturer, model } = FIRMWARE.identity;
    expect(kv, r.stderr.slice(-4000)).toMatchObject({
      udev_tagged: '2',
      mm_plugin: 'qcom-soc', mm_driver: 'qrtr', mm_primary_port: 'qrtr1',
      mm_imei: IMEI, mm_manufacturer: manufacturer.replace(/ /g, '_'), mm_model: model.replace(/ /g, '_'),
      mm_state: 'registered', mm_operator: `${FIRMWARE.home.mcc}${FIRMWARE.home.mnc}`,
      mm_node_removed: 'yes', mm_after_sim_stop: '0',
    });
    // The QRTR node is the control port; the tagged netdev is the modem's net port.
    expect(kv.mm_ports).toMatch(/^qrtr1\(qmi\),wwqrtr\d+\(net\),$/);
    process.stderr.write(`[vm] qrtr ModemManager scenario: ${r.seconds.toFixed(1)} s\n`);
  });
});
