/**
 * Real modems from sysfs: cdc-wdm control ports (qmi_wwan → QMI, cdc_mbim → MBIM) with their net
 * device, and wwan-core control ports (/dev/wwanNqmiM, /dev/wwanNmbimM). `sysfs` is a parameter so
 * a fake tree stands in for tests.
 */
import { readdirSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ModemSpec } from '../modem/manager.js';
import type { KernelDevice } from '../net/kernel.js';
import type { QrtrServer } from '../transport/qrtr.js';

export interface DiscoveredModem extends ModemSpec {
  /** How the kernel carries this modem's data. */
  kernel: KernelDevice;
}

/** A folder's entries; none when it is missing or vanishes while read (a device the kernel is removing). */
function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function discover(sysfs = '/sys', dev = '/dev'): DiscoveredModem[] {
  const found: DiscoveredModem[] = [];
  for (const name of list(join(sysfs, 'class/usbmisc')).filter((n) => n.startsWith('cdc-wdm')).sort()) {
    const device = join(sysfs, 'class/usbmisc', name, 'device');
    let driver: string;
    try {
      driver = basename(realpathSync(join(device, 'driver')));
    } catch {
      continue;
    }
    if (driver !== 'qmi_wwan' && driver !== 'cdc_mbim') continue;
    const netdev = list(join(device, 'net'))[0];
    if (!netdev) continue;
    found.push({
      id: name,
      control: driver === 'qmi_wwan' ? 'qmi' : 'mbim',
      port: join(dev, name),
      kernel: { driver, netdev, mux: 'qmimux', sysfs },
    });
  }
  for (const name of list(join(sysfs, 'class/wwan')).sort()) {
    const m = /^(wwan\d+)(qmi|mbim)\d+$/.exec(name);
    if (!m) continue;
    found.push({ id: name, control: m[2] as 'qmi' | 'mbim', port: join(dev, name), kernel: { driver: 'wwan', netdev: m[1]!, sysfs } });
  }
  return found;
}

/** QMI's DMS service: a QRTR node that publishes it is a modem (other nodes serve other things). */
const QMI_SERVICE_DMS = 2;

/**
 * The netdev that carries a QRTR modem's data: the IPA's (rmnet_ipa0 on a Qualcomm SoC) or an MHI
 * modem's (mhi_net), demultiplexed by rmnet links. Without one the netdev is '' (connect then says so).
 */
export function qrtrDataNetdev(sysfs = '/sys'): KernelDevice {
  for (const netdev of list(join(sysfs, 'class/net')).sort()) {
    let driver: string;
    try {
      driver = basename(realpathSync(join(sysfs, 'class/net', netdev, 'device/driver')));
    } catch {
      continue;
    }
    if (driver === 'ipa' || driver === 'mhi_net') return { driver, netdev, sysfs };
  }
  return { driver: 'ipa', netdev: '', sysfs };
}

/** Modems on QRTR: every node whose published services include DMS, named `qrtrN` after its node. */
export function discoverQrtr(servers: Iterable<QrtrServer>, sysfs = '/sys'): DiscoveredModem[] {
  const nodes = new Set<number>();
  for (const s of servers) if (s.service === QMI_SERVICE_DMS) nodes.add(s.node);
  if (nodes.size === 0) return [];
  const kernel = qrtrDataNetdev(sysfs);
  return [...nodes].sort((a, b) => a - b).map((node) => ({ id: `qrtr${node}`, control: 'qmi', port: `qrtr://${node}`, kernel }));
}
