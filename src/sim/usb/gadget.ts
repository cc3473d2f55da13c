/**
 * The simulated modem as a USB device: a port kind beside the pty, the unix socket and the proxies.
 * QMI profiles become the vendor-class function qmi_wwan binds (FunctionFS), MBIM profiles the CDC
 * MBIM function cdc_mbim binds (GadgetFS). Needs a device controller: dummy_hcd in a VM (`wwan vm run`).
 */
import type { SimModem } from '../modem.js';
import { deviceControllers, plugFunctionFsGadget } from './ffs-gadget.js';
import { plugGadgetFsGadget } from './gadgetfs-gadget.js';

export interface UsbGadget {
  readonly description: string;
  /** Control and endpoint counters (see ModemFunction and EndpointThreads). */
  readonly stats: Record<string, number>;
  /** Unplugs the device and frees its endpoint threads and mounts. */
  stop(): Promise<void>;
}

/** Plugs modem number `index` in on the index-th device controller. */
export async function plugUsbGadget(modem: SimModem, index: number, log: (line: string) => void): Promise<UsbGadget> {
  const udcs = deviceControllers();
  if (modem.profile.device.bus !== 'usb') throw new Error(`profile ${modem.profile.name} is not a USB modem (${modem.profile.device.bus})`);
  if (modem.profile.control === 'mbim') {
    if (index > 0) throw new Error('one MBIM modem per machine over USB (GadgetFS drives a single device)');
    if (udcs.length === 0) throw new Error('no USB device controller in /sys/class/udc (load dummy_hcd)');
    return plugGadgetFsGadget(modem, log);
  }
  const udc = udcs[index];
  if (!udc) throw new Error(`no USB device controller for modem ${index + 1} in /sys/class/udc (${udcs.length} there; dummy_hcd num=N gives N)`);
  return plugFunctionFsGadget(modem, index, udc, log);
}
