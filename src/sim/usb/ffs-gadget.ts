/**
 * A QMI modem as qmi_wwan sees a real one, through configfs and FunctionFS: the profile's USB ids
 * (a modem in qmi_wwan's table), placeholder interfaces before the QMI interface so it has the number
 * the table names, and the QMI interface itself: vendor class ff/ff/ff with an interrupt IN, a bulk IN
 * and a bulk OUT endpoint (qmi_wwan takes an ff/ff/ff interface with two endpoints for a diag port).
 */
import { mkdirSync, openSync, closeSync, readdirSync, rmdirSync, symlinkSync, unlinkSync, writeFileSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SimModem } from '../modem.js';
import { cdcClassRequest, defaultReply } from './cdc-control.js';
import { EP_BULK, EP_INTERRUPT, endpointDescriptor, interfaceDescriptor } from './descriptors.js';
import { EndpointThreads } from './endpoint-threads.js';
import { ModemFunction, run } from './modem-function.js';
import type { UsbGadget } from './gadget.js';

const CONFIGFS = '/sys/kernel/config';
const FUNCTIONFS_DESCRIPTORS_MAGIC_V2 = 3;
const FUNCTIONFS_STRINGS_MAGIC = 2;
const FUNCTIONFS_HAS_FS_DESC = 1;
const FUNCTIONFS_HAS_HS_DESC = 2;
const FFS_SETUP = 4;
const FFS_EVENTS = ['BIND', 'UNBIND', 'ENABLE', 'DISABLE', 'SETUP', 'SUSPEND', 'RESUME'];

function functionDescriptors(qmiInterface: number, highSpeed: boolean): Uint8Array[] {
  const bulk = highSpeed ? 512 : 64;
  const placeholders = Array.from({ length: qmiInterface }, (_, n) => interfaceDescriptor({ number: n, alt: 0, endpoints: 0, cls: 0xff, subClass: 0, protocol: 0, iInterface: 2 }));
  return [
    ...placeholders,
    interfaceDescriptor({ number: qmiInterface, alt: 0, endpoints: 3, cls: 0xff, subClass: 0xff, protocol: 0xff, iInterface: 1 }),
    endpointDescriptor({ address: 0x81, attributes: EP_INTERRUPT, maxPacket: 8, interval: highSpeed ? 9 : 32 }),
    endpointDescriptor({ address: 0x82, attributes: EP_BULK, maxPacket: bulk, interval: 0 }),
    endpointDescriptor({ address: 0x03, attributes: EP_BULK, maxPacket: bulk, interval: 0 }),
  ];
}

function descriptorsBlob(qmiInterface: number): Buffer {
  const fs = functionDescriptors(qmiInterface, false);
  const hs = functionDescriptors(qmiInterface, true);
  const body = Buffer.concat([...fs, ...hs]);
  const head = Buffer.alloc(20);
  head.writeUInt32LE(FUNCTIONFS_DESCRIPTORS_MAGIC_V2, 0);
  head.writeUInt32LE(20 + body.length, 4);
  head.writeUInt32LE(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC, 8);
  head.writeUInt32LE(fs.length, 12);
  head.writeUInt32LE(hs.length, 16);
  return Buffer.concat([head, body]);
}

function stringsBlob(strings: string[]): Buffer {
  const body = Buffer.concat([Buffer.from([0x09, 0x04]), ...strings.map((s) => Buffer.from(`${s}\0`, 'utf8'))]);
  const head = Buffer.alloc(16);
  head.writeUInt32LE(FUNCTIONFS_STRINGS_MAGIC, 0);
  head.writeUInt32LE(16 + body.length, 4);
  head.writeUInt32LE(strings.length, 8);
  head.writeUInt32LE(1, 12);
  return Buffer.concat([head, body]);
}

export async function plugFunctionFsGadget(modem: SimModem, index: number, udc: string, log: (line: string) => void): Promise<UsbGadget> {
  const { device, firmware } = modem.profile;
  const name = `wwan${index}`;
  const g = join(CONFIGFS, 'usb_gadget', name);
  const mnt = `/dev/ffs-${name}`;
  const threads = new EndpointThreads((ep, message) => log(`${modem.id}: usb ${ep}: ${message}`));
  const fds: number[] = [];
  const fn = new ModemFunction(modem, { description: `usb:${name}`, controlInterface: device.interfaceNumber, log });
  let bound = false;
  const stop = async (): Promise<void> => {
    if (bound) writeFileSync(join(g, 'UDC'), '\n');
    bound = false;
    await fn.stop();
    await threads.close();
    for (const fd of fds.splice(0)) closeSync(fd);
    await run('umount', [mnt]).catch(() => undefined);
    for (const p of [join(g, 'configs/c.1', `ffs.${name}`)]) if (existsSync(p)) unlinkSync(p);
    for (const p of [join(g, 'configs/c.1/strings/0x409'), join(g, 'configs/c.1'), join(g, 'functions', `ffs.${name}`), join(g, 'strings/0x409'), g]) {
      try {
        rmdirSync(p);
      } catch {
        /* already gone */
      }
    }
  };
  try {
    if (!existsSync(join(CONFIGFS, 'usb_gadget'))) await run('mount', ['-t', 'configfs', 'none', CONFIGFS]);
    mkdirSync(g);
    const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
    writeFileSync(join(g, 'idVendor'), hex(device.vendor));
    writeFileSync(join(g, 'idProduct'), hex(device.product));
    writeFileSync(join(g, 'bcdDevice'), '0x0318');
    writeFileSync(join(g, 'bcdUSB'), '0x0200');
    mkdirSync(join(g, 'strings/0x409'));
    writeFileSync(join(g, 'strings/0x409/manufacturer'), firmware.identity?.manufacturer ?? 'wwankit');
    writeFileSync(join(g, 'strings/0x409/product'), firmware.identity?.model ?? 'simulated modem');
    writeFileSync(join(g, 'strings/0x409/serialnumber'), `wwankit-${modem.id}`);
    mkdirSync(join(g, 'configs/c.1/strings/0x409'), { recursive: true });
    writeFileSync(join(g, 'configs/c.1/strings/0x409/configuration'), 'QMI');
    mkdirSync(join(g, 'functions', `ffs.${name}`));
    symlinkSync(join(g, 'functions', `ffs.${name}`), join(g, 'configs/c.1', `ffs.${name}`));
    mkdirSync(mnt, { recursive: true });
    await run('mount', ['-t', 'functionfs', name, mnt]);
    const ep0 = openSync(join(mnt, 'ep0'), 'r+');
    fds.push(ep0);
    writeSync(ep0, descriptorsBlob(device.interfaceNumber));
    writeSync(ep0, stringsBlob(['QMI', 'placeholder']));
    // ep1 interrupt IN, ep2 bulk IN, ep3 bulk OUT: the files appear in descriptor order.
    const [int, bulkIn, bulkOut] = ['ep1', 'ep2', 'ep3'].map((f) => openSync(join(mnt, f), 'r+')) as [number, number, number];
    fds.push(int, bulkIn, bulkOut);
    fn.endpoints(threads.writer('interrupt IN', int), threads.writer('bulk IN', bulkIn));
    threads.reader('bulk OUT', bulkOut, (t) => fn.received(t));
    threads.ep0(
      ep0,
      FFS_SETUP,
      (s) => fn.setup(s) ?? cdcClassRequest(s, undefined) ?? defaultReply(s),
      (type) => log(`${modem.id}: usb ${FFS_EVENTS[type] ?? type}`),
    );
    writeFileSync(join(g, 'UDC'), udc);
    bound = true;
    log(`${modem.id}: plugged in as USB ${hex(device.vendor)}:${hex(device.product)} on ${udc} (FunctionFS, QMI interface ${device.interfaceNumber})`);
    return {
      description: `${name} on ${udc}`,
      stop,
      get stats() {
        return { ...fn.counters, ...threads.stats };
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The device controllers gadgets can be bound to, in order (dummy_hcd: dummy_udc.0, .1 …). */
export function deviceControllers(): string[] {
  try {
    return readdirSync('/sys/class/udc').sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch {
    return [];
  }
}
