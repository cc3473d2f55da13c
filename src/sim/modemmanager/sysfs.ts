/**
 * A fake sysfs tree for ModemManager's generic kernel-device backend, which hard-codes
 * `/sys/class/<subsystem>/<name>` and walks up from there: the control port (`usbmisc/cdc-wdmN`) and
 * the net port (`net/wwanN`) under one USB interface whose `driver` names qmi_wwan or cdc_mbim, under
 * a USB device with the profile's ids, under a PCI controller (without a physical ancestor a port is
 * filtered as virtual). Bind-mounted over /sys inside the harness's mount namespace only.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { SimProfile } from '../profiles.js';

/** cdc-wdm's character major: the node is never opened (the proxy serves it), only checked. */
export const CDC_WDM_MAJOR = 180;

export interface FakePorts {
  /** `cdc-wdmN` under /dev and class/usbmisc. */
  control: string;
  /** `wwanN` under class/net (no interface exists: ModemManager only reads sysfs for it). */
  net: string;
  minor: number;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** USB class, subclass, protocol of the control interface: vendor-specific for QMI, CDC MBIM for MBIM. */
const interfaceClass = (p: SimProfile): [number, number, number] => (p.control === 'mbim' ? [0x02, 0x0e, 0x00] : [0xff, 0xff, 0xff]);

/** The driver ModemManager probes by: qmi_wwan → QMI, cdc_mbim → MBIM (PCI profiles stand in as USB). */
const usbDriver = (p: SimProfile): string => (p.control === 'mbim' ? 'cdc_mbim' : 'qmi_wwan');

/**
 * The configuration descriptor's CDC MBIM functional descriptor, so ModemManager reads the maximum
 * control message size (4096) instead of warning.
 */
function mbimDescriptors(): Buffer {
  const device = [18, 1, 0x00, 0x02, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 1, 2, 3, 1];
  const mbimFunctional = [12, 0x24, 0x1b, 0x00, 0x01, 0x00, 0x10, 0x20, 0x10, 0x08, 0x00, 0x0c];
  const config = [9, 2, 9 + mbimFunctional.length, 0, 1, 1, 0, 0xa0, 250];
  return Buffer.from([...device, ...config, ...mbimFunctional]);
}

function link(at: string, target: string): void {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(relative(dirname(at), target), at);
}

function files(dir: string, entries: Record<string, string | Buffer>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(entries)) writeFileSync(join(dir, name), content);
}

/**
 * ModemManager 1.20.4's Quectel plugin aborts on a QMI modem without an AT port (firmware update
 * settings cast the modem to MBIM: mm-broadband-modem-mbim.c:284), so Quectel's vendor id is shown
 * as Qualcomm's generic one (the generic QMI plugin takes it); identity still comes from DMS.
 */
const MM_ABORTING_VENDORS = new Map([[0x2c7c, { vendor: 0x05c6, product: 0x9215 }]]);

/** The USB ids the fake tree shows for a profile. */
export function usbIds(p: SimProfile): { vendor: number; product: number } {
  return (p.control === 'qmi' && MM_ABORTING_VENDORS.get(p.device.vendor)) || { vendor: p.device.vendor, product: p.device.product };
}

/** Writes the tree for `profile`'s modems 0..count-1 under `root`; returns each modem's ports. */
export function writeFakeSysfs(root: string, profile: SimProfile, count: number): FakePorts[] {
  const bus = (name: string): string => join(root, 'bus', name);
  const drivers = join(bus('usb'), 'drivers', usbDriver(profile));
  mkdirSync(drivers, { recursive: true });
  mkdirSync(bus('pci'), { recursive: true });
  const controller = join(root, 'devices', 'pci0000:00', '0000:00:14.0');
  files(controller, { vendor: '0x8086\n', device: '0xa36d\n', class: '0x0c0330\n' });
  link(join(controller, 'subsystem'), bus('pci'));
  const [cls, sub, proto] = interfaceClass(profile);
  const { interfaceNumber } = profile.device;
  const { vendor, product } = usbIds(profile);
  const ports: FakePorts[] = [];
  for (let i = 0; i < count; i++) {
    const usbName = `1-${i + 1}`;
    const usbDevice = join(controller, 'usb1', usbName);
    files(usbDevice, {
      idVendor: `${hex4(vendor)}\n`,
      idProduct: `${hex4(product)}\n`,
      bcdDevice: '0318\n',
      manufacturer: `${profile.firmware.identity?.manufacturer ?? 'wwankit'}\n`,
      product: `${profile.firmware.identity?.model ?? profile.name}\n`,
      busnum: '1\n',
      devnum: `${i + 2}\n`,
      ...(profile.control === 'mbim' ? { descriptors: mbimDescriptors() } : {}),
    });
    link(join(usbDevice, 'subsystem'), bus('usb'));
    const iface = join(usbDevice, `${usbName}:1.${interfaceNumber}`);
    files(iface, {
      bInterfaceClass: `${hex2(cls)}\n`,
      bInterfaceSubClass: `${hex2(sub)}\n`,
      bInterfaceProtocol: `${hex2(proto)}\n`,
      bInterfaceNumber: `${hex2(interfaceNumber)}\n`,
    });
    link(join(iface, 'subsystem'), bus('usb'));
    link(join(iface, 'driver'), drivers);
    const control = `cdc-wdm${i}`;
    const controlDir = join(iface, 'usbmisc', control);
    files(controlDir, { dev: `${CDC_WDM_MAJOR}:${i}\n`, uevent: `MAJOR=${CDC_WDM_MAJOR}\nMINOR=${i}\nDEVNAME=${control}\n` });
    link(join(controlDir, 'subsystem'), join(root, 'class', 'usbmisc'));
    link(join(controlDir, 'device'), iface);
    link(join(root, 'class', 'usbmisc', control), controlDir);
    const netName = `wwan${i}`;
    const netDir = join(iface, 'net', netName);
    files(netDir, { ifindex: `${100 + i}\n`, type: '65534\n', mtu: '1500\n', uevent: `INTERFACE=${netName}\nIFINDEX=${100 + i}\n` });
    // qmi_wwan's knobs: ModemManager reads and writes them when it sets the data format.
    if (profile.control === 'qmi') files(join(netDir, 'qmi'), { raw_ip: 'Y\n', pass_through: 'N\n' });
    link(join(netDir, 'subsystem'), join(root, 'class', 'net'));
    link(join(netDir, 'device'), iface);
    link(join(root, 'class', 'net', netName), netDir);
    ports.push({ control, net: netName, minor: i });
  }
  return ports;
}

/** ModemManager's `--initial-kernel-events` lines for the ports. */
export const kernelEvents = (ports: FakePorts[], action: 'add' | 'remove' = 'add'): string[] =>
  ports.flatMap((p) => [`action=${action},name=${p.control},subsystem=usbmisc`, `action=${action},name=${p.net},subsystem=net`]);
