/**
 * What a USB modem function joins together, whichever gadget API carries it: the control messages
 * (cdc-wdm's encapsulated commands) to the simulated modem as one more host connection, and the bulk
 * endpoints to the modem's data pipe in the profile's framing.
 */
import { execFile } from 'node:child_process';
import type { SimModem } from '../modem.js';
import { EncapsulatedControl } from './cdc-control.js';
import { responseAvailable, type SetupPacket } from './descriptors.js';
import type { SetupReply } from './endpoint-threads.js';

/** A bulk IN transfer that is a whole number of max-size packets needs a short packet after it, or the host waits for more. */
const MAX_PACKET_FS = 64;

export interface ModemFunctionOptions {
  description: string;
  /** The control interface's number, as the host sees it (RESPONSE_AVAILABLE's wIndex). */
  controlInterface: number;
  log: (line: string) => void;
}

export class ModemFunction {
  readonly stats = { uplinkTransfers: 0, downlinkTransfers: 0, notifications: 0 };
  private control: EncapsulatedControl | undefined;
  private notifyWriter: ((data: Uint8Array) => void) | undefined;
  private bulkIn: ((data: Uint8Array) => void) | undefined;
  private uplink: ((transfer: Uint8Array) => void) | undefined;
  private stopped = false;
  private readonly host = {
    description: '',
    send: (t: Uint8Array) => this.sendDownlink(t),
    close: () => undefined,
  };

  constructor(
    private readonly modem: SimModem,
    private readonly options: ModemFunctionOptions,
  ) {
    this.host.description = options.description;
    this.connectControl();
  }

  /** A modem reset drops host connections; the function's control link comes back, as after re-enumeration. */
  private connectControl(): void {
    if (this.stopped) return;
    const control = new EncapsulatedControl(this.options.description, () => this.notify());
    this.control = control;
    control.onClose(() => {
      if (this.control === control) queueMicrotask(() => this.connectControl());
    });
    this.modem.attachHost(control);
  }

  /** The function's counters with its control link's (since the last modem reset). */
  get counters(): Record<string, number> {
    return { ...this.stats, ...this.control?.stats };
  }

  private notify(): void {
    this.stats.notifications++;
    this.notifyWriter?.(responseAvailable(this.options.controlInterface));
  }

  /** The endpoints are open: the interrupt IN writer and the bulk IN writer. Data flows from now on. */
  endpoints(notify: (data: Uint8Array) => void, bulkIn: (data: Uint8Array) => void): void {
    this.notifyWriter = notify;
    this.bulkIn = bulkIn;
    this.uplink ??= this.modem.data.attachHost(this.host);
  }

  /** A transfer from the host on bulk OUT. */
  received(transfer: Uint8Array): void {
    this.stats.uplinkTransfers++;
    this.uplink?.(transfer);
  }

  private sendDownlink(t: Uint8Array): void {
    if (!this.bulkIn) return;
    this.stats.downlinkTransfers++;
    // One byte of padding ends the transfer; every framing here tolerates trailing bytes (IP trims to its length).
    this.bulkIn(t.length > 0 && t.length % MAX_PACKET_FS === 0 ? concatZero(t) : t);
  }

  /** The control requests of the modem function; undefined for the others. */
  setup(s: SetupPacket): SetupReply | undefined {
    return this.control?.setup(s);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.modem.data.detachHost(this.host);
    const c = this.control;
    this.control = undefined;
    await c?.close();
  }
}

function concatZero(t: Uint8Array): Uint8Array {
  const out = new Uint8Array(t.length + 1);
  out.set(t);
  return out;
}

/** Runs a system command (mount, umount) with an argument array. */
export function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (error, _stdout, stderr) => (error ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || error.message}`)) : resolve()));
  });
}
