/**
 * An MBIM modem as cdc_mbim sees a real one, through GadgetFS (FunctionFS refuses CDC functional
 * descriptors and, on 6.1, alternate settings): a communication interface 02/0e/00 with the CDC
 * header, union, MBIM and MBIM-extended descriptors and an interrupt IN endpoint; a data interface
 * 0a/00/02 whose alternate setting 1 has the bulk pair. GadgetFS drives one device per mount, so one
 * MBIM modem per machine.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SimModem } from '../modem.js';
import { cdcClassRequest, defaultReply, type NtbParameters } from './cdc-control.js';
import {
  CDC_HEADER, CDC_MBIM, CDC_MBIM_EXTENDED, CDC_UNION, EP_BULK, EP_INTERRUPT,
  cdcHeader, cdcUnion, configDescriptor, deviceDescriptor, endpointDescriptor, interfaceDescriptor, mbimExtended, mbimFunctional, type SetupPacket,
} from './descriptors.js';
import { EndpointThreads } from './endpoint-threads.js';
import { ModemFunction, run } from './modem-function.js';
import type { UsbGadget } from './gadget.js';

const MOUNT = '/dev/gadget';
const GADGETFS_SETUP = 3;
const GADGETFS_EVENTS = ['NOP', 'CONNECT', 'DISCONNECT', 'SETUP', 'SUSPEND'];
const MAX_CONTROL_MESSAGE = 4096;

/** GadgetFS names endpoint files after the controller's endpoints: dummy_hcd's ep5in-int, ep1in-bulk, ep2out-bulk. */
const ENDPOINTS = {
  interrupt: { file: 'ep5in-int', address: 0x85, attributes: EP_INTERRUPT, hs: 64, fs: 64, hsInterval: 9, fsInterval: 32 },
  bulkIn: { file: 'ep1in-bulk', address: 0x81, attributes: EP_BULK, hs: 512, fs: 64, hsInterval: 0, fsInterval: 0 },
  bulkOut: { file: 'ep2out-bulk', address: 0x02, attributes: EP_BULK, hs: 512, fs: 64, hsInterval: 0, fsInterval: 0 },
};
type Ep = (typeof ENDPOINTS)[keyof typeof ENDPOINTS];

const epDescriptor = (e: Ep, highSpeed: boolean): Uint8Array =>
  endpointDescriptor({ address: e.address, attributes: e.attributes, maxPacket: highSpeed ? e.hs : e.fs, interval: highSpeed ? e.hsInterval : e.fsInterval });

function configuration(highSpeed: boolean): Uint8Array {
  return configDescriptor(2, [
    interfaceDescriptor({ number: 0, alt: 0, endpoints: 1, cls: 0x02, subClass: 0x0e, protocol: 0x00, iInterface: 0 }),
    cdcHeader({ subtype: CDC_HEADER, bcdCDC: 0x0110 }),
    cdcUnion({ subtype: CDC_UNION, control: 0, data: 1 }),
    mbimFunctional({ subtype: CDC_MBIM, bcdMBIM: 0x0100, maxControlMessage: MAX_CONTROL_MESSAGE, filters: 32, maxFilterSize: 128, maxSegmentSize: 1500, networkCapabilities: 0 }),
    mbimExtended({ subtype: CDC_MBIM_EXTENDED, bcdVersion: 0x0100, maxOutstandingCommands: 32, mtu: 1500 }),
    epDescriptor(ENDPOINTS.interrupt, highSpeed),
    interfaceDescriptor({ number: 1, alt: 0, endpoints: 0, cls: 0x0a, subClass: 0x00, protocol: 0x02, iInterface: 0 }),
    interfaceDescriptor({ number: 1, alt: 1, endpoints: 2, cls: 0x0a, subClass: 0x00, protocol: 0x02, iInterface: 0 }),
    epDescriptor(ENDPOINTS.bulkIn, highSpeed),
    epDescriptor(ENDPOINTS.bulkOut, highSpeed),
  ]);
}

/**
 * GadgetFS tells user space at most RBUF_SIZE (256) of an IN request's wLength, whatever the host
 * asked (cdc-wdm asks its wMaxControlMessage, 4096). An answer of exactly 256 bytes then ends on a
 * full packet while the host waits for more: the data stage never ends and every later control
 * request (each command to the modem) queues behind it. One byte less ends it with a short packet;
 * a longer message goes on in the next announced piece.
 */
const GADGETFS_IN_LENGTH_REPORTED = 256;

export function inDataStage(s: SetupPacket): SetupPacket {
  return s.requestType & 0x80 && s.length >= GADGETFS_IN_LENGTH_REPORTED ? { ...s, length: GADGETFS_IN_LENGTH_REPORTED - 1 } : s;
}

const tagged = (tag: number, parts: Uint8Array[]): Buffer => {
  const t = Buffer.alloc(4);
  t.writeUInt32LE(tag);
  return Buffer.concat([t, ...parts]);
};

export async function plugGadgetFsGadget(modem: SimModem, log: (line: string) => void): Promise<UsbGadget> {
  const { device } = modem.profile;
  const threads = new EndpointThreads((ep, message) => log(`${modem.id}: usb ${ep}: ${message}`));
  const fds: number[] = [];
  const fn = new ModemFunction(modem, { description: 'usb:gadgetfs', controlInterface: 0, log });
  const ntb: NtbParameters = { inMaxSize: 16384, outMaxSize: 16384, divisor: 4, alignment: 4, outMaxDatagrams: 32 };
  let mounted = false;
  let configured = false;
  const stop = async (): Promise<void> => {
    await fn.stop();
    // Closing ep0 unplugs the device; the endpoint threads' reads end with it.
    for (const fd of fds.splice(0)) closeSync(fd);
    await threads.close();
    if (mounted) await run('umount', [MOUNT]).catch(() => undefined);
    mounted = false;
  };
  const configure = (): void => {
    if (configured) return;
    configured = true;
    const open = (e: Ep): number => {
      const fd = openSync(join(MOUNT, e.file), 'r+');
      fds.push(fd);
      writeSync(fd, tagged(1, [epDescriptor(e, false), epDescriptor(e, true)]));
      return fd;
    };
    const int = open(ENDPOINTS.interrupt);
    const bulkIn = open(ENDPOINTS.bulkIn);
    const bulkOut = open(ENDPOINTS.bulkOut);
    fn.endpoints(threads.writer('interrupt IN', int), threads.writer('bulk IN', bulkIn));
    threads.reader('bulk OUT', bulkOut, (t) => fn.received(t));
  };
  try {
    if (!existsSync(MOUNT)) mkdirSync(MOUNT);
    await run('mount', ['-t', 'gadgetfs', 'gadgetfs', MOUNT]);
    mounted = true;
    const ep0name = readdirSync(MOUNT).find((f) => !f.startsWith('ep'));
    if (!ep0name) throw new Error('GadgetFS shows no device controller (is dummy_hcd loaded?)');
    const ep0 = openSync(join(MOUNT, ep0name), 'r+');
    fds.push(ep0);
    const dev = deviceDescriptor({
      bcdUSB: 0x0200, cls: 0, subClass: 0, protocol: 0, maxPacket0: 64, vendor: device.vendor, product: device.product, bcdDevice: 0x0100,
      iManufacturer: 0, iProduct: 0, iSerial: 0, configurations: 1,
    });
    threads.ep0(
      ep0,
      GADGETFS_SETUP,
      (s) => {
        log(`${modem.id}: usb SETUP ${s.requestType.toString(16)} ${s.request.toString(16)} value ${s.value} index ${s.index} length ${s.length}`);
        if (s.requestType === 0x00 && s.request === 0x09) {
          // SET_CONFIGURATION: the speed is known now; the endpoints are configured before the status stage.
          if (s.value) configure();
          return { read: () => undefined };
        }
        if (s.requestType === 0x01 && s.request === 0x0b) return { read: () => undefined }; // SET_INTERFACE
        const request = inDataStage(s);
        return fn.setup(request) ?? cdcClassRequest(request, ntb) ?? defaultReply(request);
      },
      (type) => log(`${modem.id}: usb ${GADGETFS_EVENTS[type] ?? type}`),
      // Writing the descriptors plugs the device in: from the thread that then reads ep0 at once.
      tagged(0, [configuration(false), configuration(true), dev]),
      // GadgetFS has the data of an OUT request before it reports it (see EndpointWorkerData).
      true,
    );
    const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
    log(`${modem.id}: plugged in as USB ${hex(device.vendor)}:${hex(device.product)} on ${ep0name} (GadgetFS, MBIM)`);
    return {
      description: `gadgetfs on ${ep0name}`,
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
