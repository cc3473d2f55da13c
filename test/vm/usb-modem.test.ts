/**
 * The simulated modem as a USB device under Debian's stock kernel: the real qmi_wwan and cdc_mbim
 * bind it, the real qmicli/mbimcli talk to it through cdc-wdm, IP traffic goes through the real
 * drivers' framings (raw IP, qmimux QMAP, NTB16 sessions as VLANs), and the manager (`wwan daemon`)
 * drives the kernel datapath for real. Each scenario is one `wwan vm run` (slow under TCG).
 */
import { describe, expect } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, itWithVm, keyValues, vmRun } from '../support/vm.js';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { PROFILES } from '../../src/sim/profiles.js';

const vmIt = itWithVm();
const MINUTES = 60_000;
/** The IMEI the simulator gives its first modem (seed 1), as `wwan sim` would. */
const imei = (profile: 'qmi-usb' | 'mbim-usb'): string => new ModemFirmware({ seed: 1, ...PROFILES[profile].firmware }).identity.imei;

/** Two PDNs on links 1 and 2, each pinged through its own kernel netdev, then removed on disconnect. */
function expectTwoPdns(kv: Record<string, string>): void {
  expect(kv.link1).not.toBe(kv.link2);
  // The links are the parent's upper devices: the names are the kernel's.
  expect(kv.uppers).toBe(`${[kv.link1, kv.link2].sort().join(',')},`);
  expect(kv.addr1).toMatch(/^10\.64\.1\.\d+\/24$/);
  expect(kv.addr2).toMatch(/^10\.64\.2\.\d+\/24$/);
  expect(kv.ping1_received).toBe('3');
  expect(kv.ping2_received).toBe('3');
  // Counters move on the pinged link only.
  expect(Number(kv.rx1_during_ping1)).toBeGreaterThanOrEqual(3);
  expect(kv.rx2_during_ping1).toBe('0');
  expect(kv.rx1_during_ping2).toBe('0');
  expect(Number(kv.rx2_during_ping2)).toBeGreaterThanOrEqual(3);
  expect(kv.links_left_after_disconnect).toBe('0');
  expect(kv.uppers_after).toBe('0');
  // The USB function's control counters: the daemon's commands arrived, no answer was dropped.
  const usb = JSON.parse(kv.usb_function ?? '{}') as Record<string, number>;
  expect(usb.commands).toBeGreaterThan(10);
  expect(usb.dropped).toBe(0);
}

describe.sequential('the simulated modem on USB under the real kernel drivers', () => {
  vmIt('a guest still running at --timeout is killed: exit 124, a clear message, nothing left behind', async () => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('wwan-vm-')).length;
    const r = await vmRun(['--profile', 'qmi-usb'], ['sleep', '600'], 20);
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/the guest did not finish within 20 s and was killed/);
    expect(r.seconds).toBeLessThan(60);
    // The run folder went and no QEMU of ours is left.
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('wwan-vm-')).length).toBe(before);
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps.split('\n').filter((l) => l.includes('qemu-system-x86_64') && l.includes(`${ROOT}/scripts/vm-guest-init.sh`))).toEqual([]);
  }, 2 * MINUTES);

  vmIt('the guest killed mid-run (QEMU gone while the command runs): a clear error, the run folder and QEMU gone', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/wwan.js'), 'vm', 'run', '--verbose', '--timeout', '240', '--profile', 'qmi-usb', '--', 'sleep', '600'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Once the modem is plugged in and the command runs, QEMU is killed from outside.
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/ready after/.test(stderr)) resolve();
      });
      void exited.then(() => reject(new Error(`vm run ended before the guest was ready: ${stderr}`)));
    });
    const qemu = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    expect(qemu.length).toBe(1);
    // This run's folder: where QEMU writes the console.
    const runDir = /file:(\S+)\/console\.log/.exec(readFileSync(`/proc/${qemu[0]}/cmdline`, 'utf8').replaceAll('\0', ' '))![1]!;
    expect(existsSync(runDir)).toBe(true);
    process.kill(qemu[0]!, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/the command did not run: QEMU was killed \(SIGKILL\)/);
    expect(existsSync(runDir)).toBe(false);
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps.split('\n').filter((l) => l.includes('qemu-system-x86_64') && l.includes(`${ROOT}/scripts/vm-guest-init.sh`))).toEqual([]);
  }, 4 * MINUTES);

  vmIt('qmi-usb: qmicli through qmi_wwan and cdc-wdm; ping through raw_ip wwan0, then through a qmimux netdev from add_mux', async () => {
    const r = await vmRun(['--profile', 'qmi-usb'], ['bash', 'test/vm/scripts/qmi-data.sh']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`IMEI: '${imei('qmi-usb')}'`);
    expect(r.stdout).toContain("Connection status: 'disconnected'");
    const kv = keyValues(r.stdout);
    expect(kv.driver).toBe('qmi_wwan');
    expect(kv.raw_ip).toBe('Y');
    expect(kv.raw_ip_received).toBe('3');
    expect(kv.mux_netdev).toBe('qmimux0');
    expect(kv.mux_id).toBe('0x01');
    expect(kv.mux_received).toBe('3');
    // The replies came in on the mux netdev: its receive counter moved by the three echo replies.
    const [rxBefore] = kv.mux_counters_before!.split(',').map(Number);
    const [rxAfter] = kv.mux_counters_after!.split(',').map(Number);
    expect(rxAfter! - rxBefore!).toBeGreaterThanOrEqual(3);
    // Why the MTU rule exists: the modem was asked for 32 KiB downlink aggregates but the parent's
    // MTU (so qmi_wwan's receive buffer) stayed 1500: a burst's aggregates overflow it and are lost.
    expect(kv.parent_mtu).toBe('1500');
    expect(Number(kv.mtu1500_parent_rx_over_errors)).toBeGreaterThan(0);
    expect(Number(kv.mtu1500_received)).toBeLessThan(32);
    process.stderr.write(`[vm] qmi-usb qmicli scenario: ${r.seconds.toFixed(1)} s, raw-IP ping RTT ${kv.raw_ip_rtt_avg_ms} ms\n`);
  }, 8 * MINUTES);

  // Every `wwan` command here is a node start in the guest (15–30 s under TCG and load); the script
  // bounds each one and prints the daemon's log and its threads' states when one fails.
  vmIt('qmi-usb: wwan daemon drives qmi_wwan: two PDNs as qmimux links, each pinged, the MTU rule, both removed on disconnect; a stalled and an unplugged modem', { retry: 1, timeout: 16 * MINUTES }, async () => {
    // 6–10 min at load average 15–30 (under 600 s was seen killed mid-way).
    const r = await vmRun(['--profile', 'qmi-usb'], ['bash', 'test/vm/scripts/daemon-two-pdns.sh'], 900);
    expect(r.code, r.stderr).toBe(0);
    const kv = keyValues(r.stdout);
    expect(kv.driver).toBe('qmi_wwan');
    expect(kv.link1).toMatch(/^qmimux\d$/);
    expectTwoPdns(kv);
    expect(kv.mux_ids_after).toBe('none');
    // The MTU rule: the parent fits the 32 KiB aggregates the manager negotiated, the same burst that
    // overflows a 1500-byte buffer (the qmicli scenario) arrives whole, and the MTU goes back after.
    expect(kv.parent_mtu).toBe('32768');
    expect(kv.rule_received).toBe('32');
    expect(kv.rule_parent_rx_errors).toBe('0');
    expect(kv.parent_mtu_after).toBe('1500');
    // Faults: a modem that stops answering fails the connect with the request's timeout, nothing hangs…
    expect(kv.stalled_connect_exit).toBe('1');
    expect(kv.stalled_error).toBe('timed_out_after_10_s');
    expect(Number(kv.stalled_connect_seconds)).toBeLessThan(120);
    expect(kv.after_stall_link).toMatch(/^qmimux\d$/);
    // …and one unplugged while connected is reported gone and removed; the daemon keeps running and
    // answering, and no qmimux link or mux id is left.
    expect(Number(kv.unplug_reported), r.stderr).toBeGreaterThan(0);
    expect(kv.unplug_daemon_alive, r.stderr).toBe('1');
    expect(kv.unplug_list_exit).toBe('0');
    expect(kv.unplug_modems_listed).toBe('0');
    expect(kv.unplug_qmimux_left).toBe('0');
    expect(kv.unplug_mux_ids_left).toBe('0');
    process.stderr.write(`[vm] qmi-usb daemon scenario: ${r.seconds.toFixed(1)} s, qmimux ping RTT ${kv.ping1_rtt_avg_ms} ms, unplug reported after ${kv.unplug_report_seconds} s\n`);
  });

  vmIt('qmi-usb: Debian\'s ModemManager manages the USB modem and brings up two multiplexed bearers at once over qmimux, each pinged; --simple-disconnect removes them', { timeout: 7 * MINUTES }, async () => {
    const r = await vmRun(['--profile', 'qmi-usb'], ['bash', 'test/vm/scripts/modemmanager.sh'], 360);
    expect(r.code, r.stderr).toBe(0);
    const kv = keyValues(r.stdout);
    // Found through the real sysfs (ports reported as kernel events), driven through the real cdc-wdm.
    expect(kv.mm_driver).toBe('qmi_wwan');
    expect(kv.mm_primary_port).toBe('cdc-wdm0');
    expect(kv.mm_imei).toBe(imei('qmi-usb'));
    expect(kv.bearers).toBe('2');
    for (const n of [1, 2]) {
      expect(kv[`connected${n}`]).toBe('yes');
      expect(kv[`multiplexed${n}`]).toBe('yes');
      expect(kv[`link${n}`]).toMatch(/^qmimux\d$/);
    }
    expect(kv.mux_id1).not.toBe(kv.mux_id2);
    expect([kv.apn1, kv.apn2]).toEqual(['internet', 'ims']);
    // ModemManager preallocates its qmimux links: the bearers' two are among the parent's uppers.
    const uppers = kv.uppers!.split(',').filter(Boolean);
    expect(uppers).toContain(kv.link1);
    expect(uppers).toContain(kv.link2);
    expect(kv.addr1).toMatch(/^10\.64\.1\.\d+\/24$/);
    expect(kv.addr2).toMatch(/^10\.64\.2\.\d+\/24$/);
    // ModemManager's own MTU rule: the parent fits its downlink aggregates.
    expect(Number(kv.parent_mtu)).toBeGreaterThan(1500);
    expect(kv.ping1_received).toBe('3');
    expect(kv.ping2_received).toBe('3');
    expect(Number(kv.rx1_during_ping1)).toBeGreaterThanOrEqual(3);
    expect(kv.rx2_during_ping1).toBe('0');
    expect(kv.rx1_during_ping2).toBe('0');
    expect(Number(kv.rx2_during_ping2)).toBeGreaterThanOrEqual(3);
    // --simple-disconnect: nothing connected; ModemManager's exit removes the links.
    expect(kv.connected_after_disconnect).toBe('0');
    expect(kv.state_after).toBe('registered');
    expect(kv.mm_exit).toBe('0');
    expect(kv.links_left_after_exit).toBe('0');
    expect(kv.uppers_after_exit).toBe('0');
    process.stderr.write(`[vm] ModemManager scenario: ${r.seconds.toFixed(1)} s, qmimux ping RTT ${kv.ping1_rtt_avg_ms} ms\n`);
  });

  vmIt('mbim-usb: mbimcli through cdc_mbim; wwan daemon connects IP sessions 1 and 2 as VLANs, pings each, removes them', { retry: 1, timeout: 6 * MINUTES }, async () => {
    const r = await vmRun(['--profile', 'mbim-usb'], ['bash', 'test/vm/scripts/daemon-two-pdns.sh'], 300);
    expect(r.code, r.stderr).toBe(0);
    const kv = keyValues(r.stdout);
    expect(kv.device_id).toBe(imei('mbim-usb'));
    expect(kv.driver).toBe('cdc_mbim');
    expect([kv.link1, kv.link2]).toEqual([`${kv.parent}.1`, `${kv.parent}.2`]);
    expectTwoPdns(kv);
    process.stderr.write(`[vm] mbim-usb scenario: ${r.seconds.toFixed(1)} s, VLAN session ping RTT ${kv.ping1_rtt_avg_ms} ms, USB control ${kv.usb_function}\n`);
  });
});
