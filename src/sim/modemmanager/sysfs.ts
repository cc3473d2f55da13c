/**
 * A fake sysfs tree for ModemManager's generic kernel-device backend, which hard-codes
 * `/sys/class/<subsystem>/<name>` and walks up from there. USB modems: the control port
 * (`usbmisc/cdc-wdmN`) and the net port (`net/wwanN`) under one USB interface whose `driver` names
 * qmi_wwan or cdc_mbim, under a USB device with the profile's ids, under a PCI controller (without a
 * physical ancestor a port is filtered as virtual). PCI modems (iosm) as the wwan core shows them:
 * the port `wwan/wwanNmbim0` (attribute `type` MBIM) and the net port `net/wwanN` under the wwan
 * device `wwanN`, under the PCI function bound to the profile's driver. Bind-mounted over /sys inside
 * the harness's mount namespace only.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { SimProfile } from '../profiles.js';

/** Character majors of the control nodes: never opened (the proxy serves them), only checked. */
const CDC_WDM_MAJOR = 180;
/** The wwan core's ports get a dynamic major; this is the one a 6.x kernel commonly hands out. */
const WWAN_PORT_MAJOR = 234;

export interface FakePorts {
  /** `cdc-wdmN` (class usbmisc) or `wwanNmbim0` (class wwan), under /dev too. */
  control: string;
  subsystem: 'usbmisc' | 'wwan';
  /** `wwanN` under class/net (no interface exists: ModemManager only reads sysfs for it). */
  net: string;
  major: number;
  minor: number;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** USB class, subclass, protocol of the control interface: vendor-specific for QMI, CDC MBIM for MBIM. */
const interfaceClass = (p: SimProfile): [number, number, number] => (p.control === 'mbim' ? [0x02, 0x0e, 0x00] : [0xff, 0xff, 0xff]);

/** The driver ModemManager probes USB ports by: qmi_wwan → QMI, cdc_mbim → MBIM. */
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

/** The net port `wwanN` under `parent`, with qmi_wwan's knobs on a QMI modem (ModemManager reads and writes them). */
function netPort(root: string, parent: string, i: number, profile: SimProfile): string {
  const name = `wwan${i}`;
  const dir = join(parent, 'net', name);
  files(dir, { ifindex: `${100 + i}\n`, type: '65534\n', mtu: '1500\n', uevent: `INTERFACE=${name}\nIFINDEX=${100 + i}\n` });
  if (profile.control === 'qmi') files(join(dir, 'qmi'), { raw_ip: 'Y\n', pass_through: 'N\n' });
  link(join(dir, 'subsystem'), join(root, 'class', 'net'));
  link(join(dir, 'device'), parent);
  link(join(root, 'class', 'net', name), dir);
  return name;
}

/** A class device `name` of `subsystem` under `parent` with a char node's dev numbers. */
function charDevice(root: string, parent: string, subsystem: string, name: string, major: number, minor: number, extra: Record<string, string> = {}): void {
  const dir = join(parent, subsystem, name);
  files(dir, { dev: `${major}:${minor}\n`, uevent: `MAJOR=${major}\nMINOR=${minor}\nDEVNAME=${name}\n${extra.uevent ?? ''}`, ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'uevent')) });
  link(join(dir, 'subsystem'), join(root, 'class', subsystem));
  link(join(dir, 'device'), parent);
  link(join(root, 'class', subsystem, name), dir);
}

/** A USB modem: control and net ports under one interface of a USB device on the controller. */
function usbModem(root: string, controller: string, profile: SimProfile, i: number): FakePorts {
  const bus = (name: string): string => join(root, 'bus', name);
  const [cls, sub, proto] = interfaceClass(profile);
  const { interfaceNumber } = profile.device;
  const { vendor, product } = usbIds(profile);
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
  link(join(iface, 'driver'), join(bus('usb'), 'drivers', usbDriver(profile)));
  const control = `cdc-wdm${i}`;
  charDevice(root, iface, 'usbmisc', control, CDC_WDM_MAJOR, i);
  return { control, subsystem: 'usbmisc', net: netPort(root, iface, i, profile), major: CDC_WDM_MAJOR, minor: i };
}

/** A PCI modem on the wwan core: the PCI function, its wwan device, the MBIM port and the net port. */
function pciWwanModem(root: string, controller: string, profile: SimProfile, i: number): FakePorts {
  const bus = (name: string): string => join(root, 'bus', name);
  const fn = join(controller, `0000:0${i + 1}:00.0`);
  files(fn, { vendor: `0x${hex4(profile.device.vendor)}\n`, device: `0x${hex4(profile.device.product)}\n`, class: '0x0d8000\n' });
  link(join(fn, 'subsystem'), bus('pci'));
  link(join(fn, 'driver'), join(bus('pci'), 'drivers', profile.device.driver));
  const wwanDev = join(fn, 'wwan', `wwan${i}`);
  files(wwanDev, { uevent: 'DEVTYPE=wwan_dev\n' });
  link(join(wwanDev, 'subsystem'), join(root, 'class', 'wwan'));
  const control = `wwan${i}mbim0`;
  charDevice(root, wwanDev, 'wwan', control, WWAN_PORT_MAJOR, i, { uevent: 'DEVTYPE=wwan_port\n', type: 'MBIM\n' });
  return { control, subsystem: 'wwan', net: netPort(root, wwanDev, i, profile), major: WWAN_PORT_MAJOR, minor: i };
}

/** Writes the tree for `profile`'s modems 0..count-1 under `root`; returns each modem's ports. */
export function writeFakeSysfs(root: string, profile: SimProfile, count: number): FakePorts[] {
  const pciWwan = profile.device.bus === 'pci';
  const bus = (name: string): string => join(root, 'bus', name);
  mkdirSync(pciWwan ? join(bus('pci'), 'drivers', profile.device.driver) : join(bus('usb'), 'drivers', usbDriver(profile)), { recursive: true });
  const controller = join(root, 'devices', 'pci0000:00', pciWwan ? '0000:00:1c.0' : '0000:00:14.0');
  files(controller, { vendor: '0x8086\n', device: pciWwan ? '0xa33c\n' : '0xa36d\n', class: pciWwan ? '0x060400\n' : '0x0c0330\n' });
  link(join(controller, 'subsystem'), bus('pci'));
  return Array.from({ length: count }, (_, i) => (pciWwan ? pciWwanModem : usbModem)(root, controller, profile, i));
}

/** ModemManager's `--initial-kernel-events` lines for the ports. */
export const kernelEvents = (ports: FakePorts[], action: 'add' | 'remove' = 'add'): string[] =>
  ports.flatMap((p) => [`action=${action},name=${p.control},subsystem=${p.subsystem}`, `action=${action},name=${p.net},subsystem=net`]);
