/**
 * The simulated modem as a USB device under Debian's stock kernel: the real qmi_wwan and cdc_mbim
 * bind it, the real qmicli/mbimcli talk to it through cdc-wdm, and IP traffic goes through the real
 * drivers' framings (raw IP, qmimux QMAP). Each scenario is one `wwan vm run` (slow under TCG).
 */
import { describe, expect } from 'vitest';
import { itWithVm, keyValues, vmRun } from '../support/vm.js';
import { ModemFirmware } from '../../src/sim/firmware.js';
import { PROFILES } from '../../src/sim/profiles.js';

const vmIt = itWithVm();
const MINUTES = 60_000;
/** The IMEI the simulator gives its first modem (seed 1), as `wwan sim` would. */
const imei = (profile: 'qmi-usb' | 'mbim-usb'): string => new ModemFirmware({ seed: 1, ...PROFILES[profile].firmware }).identity.imei;

describe.sequential('the simulated modem on USB under the real kernel drivers', () => {
  vmIt('qmi-usb: qmicli reaches the modem through qmi_wwan and cdc-wdm', async () => {
    const r = await vmRun(['--profile', 'qmi-usb'], ['sh', '-c', 'readlink /sys/class/usbmisc/cdc-wdm0/device/driver; qmicli -d /dev/cdc-wdm0 --dms-get-ids && qmicli -d /dev/cdc-wdm0 --wds-get-packet-service-status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\/qmi_wwan\n/);
    expect(r.stdout).toContain(`IMEI: '${imei('qmi-usb')}'`);
    expect(r.stdout).toContain("Connection status: 'disconnected'");
    process.stderr.write(`[vm] qmi-usb control scenario: ${r.seconds.toFixed(1)} s\n`);
  }, 5 * MINUTES);

  vmIt('mbim-usb: mbimcli reaches the modem through cdc_mbim and cdc-wdm', async () => {
    const r = await vmRun(['--profile', 'mbim-usb'], ['sh', '-c', 'readlink /sys/class/usbmisc/cdc-wdm0/device/driver; mbimcli -d /dev/cdc-wdm0 --query-device-caps']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\/cdc_mbim\n/);
    expect(r.stdout).toContain(`Device ID: '${imei('mbim-usb')}'`);
    expect(r.stdout).toContain("Hardware info: 'EM7455'");
    process.stderr.write(`[vm] mbim-usb control scenario: ${r.seconds.toFixed(1)} s\n`);
  }, 5 * MINUTES);

  vmIt('qmi-usb: ping through raw_ip wwan0, then through a qmimux netdev made by add_mux', async () => {
    const r = await vmRun(['--profile', 'qmi-usb'], ['bash', 'test/vm/scripts/qmi-data.sh']);
    expect(r.code, r.stderr).toBe(0);
    const kv = keyValues(r.stdout);
    expect(kv.raw_ip).toBe('Y');
    expect(kv.raw_ip_received).toBe('3');
    expect(kv.mux_netdev).toBe('qmimux0');
    expect(kv.mux_id).toBe('0x01');
    expect(kv.mux_received).toBe('3');
    // The replies came in on the mux netdev: its receive counter moved by the three echo replies.
    const [rxBefore] = kv.mux_counters_before!.split(',').map(Number);
    const [rxAfter] = kv.mux_counters_after!.split(',').map(Number);
    expect(rxAfter! - rxBefore!).toBeGreaterThanOrEqual(3);
    process.stderr.write(`[vm] qmi-usb data scenario: ${r.seconds.toFixed(1)} s, raw-IP ping RTT ${kv.raw_ip_rtt_avg_ms} ms\n`);
  }, 5 * MINUTES);
});
