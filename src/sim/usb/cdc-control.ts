/**
 * The control side of a CDC-style modem function (qmi_wwan's and cdc_mbim's cdc-wdm): the host sends
 * each message with SEND_ENCAPSULATED_COMMAND, the function announces answers with RESPONSE_AVAILABLE
 * on the interrupt endpoint and hands them over on GET_ENCAPSULATED_RESPONSE. To the simulated modem
 * this is one more host connection (a Transport), as a pty or a socket client is.
 * The NCM requests cdc_ncm sends (MBIM functions) are answered from the function's NTB parameters.
 *
 * Announcing: one RESPONSE_AVAILABLE at a time, and a GET takes every whole waiting message that fits
 * its length (cdc-wdm and the host stacks read a byte stream). cdc-wdm counts announcements and, for
 * each one beyond the first, sends another GET the moment user space has read the last answer, which
 * is when the host writes its next command. Under GadgetFS that GET, queued behind the command,
 * arrives before the gadget has read the command's data and voids it (EIDRM): the command is lost.
 * With one announcement per batch no GET follows a read. An announcement nobody fetched (its GET
 * stalled or lost) is repeated a few times.
 */
import { TransportClosedError, type Transport } from '../../transport/types.js';
import { CDC, type SetupPacket } from './descriptors.js';
import type { SetupReply } from './endpoint-threads.js';

/** Answers waiting for the host beyond this are dropped oldest first (counted): nobody reads /dev/cdc-wdm. */
const MAX_PENDING_RESPONSES = 256;
/** An announcement the host has not fetched after this is repeated, at most REANNOUNCE_TRIES times. */
const REANNOUNCE_MS = 1000;
const REANNOUNCE_TRIES = 5;

export interface NtbParameters {
  inMaxSize: number;
  outMaxSize: number;
  divisor: number;
  alignment: number;
  outMaxDatagrams: number;
}

export class EncapsulatedControl implements Transport {
  /** responses: GETs answered; batched: messages that shared a GET with the one before. */
  readonly stats = { commands: 0, responses: 0, batched: 0, dropped: 0, emptyReads: 0, requeued: 0, reannounced: 0 };
  private readonly pending: Uint8Array[] = [];
  /** RESPONSE_AVAILABLE was sent and no GET has come since. */
  private announced = false;
  private reannounce: NodeJS.Timeout | undefined;
  private reannounceTries = 0;
  private readonly dataListeners: ((chunk: Uint8Array) => void)[] = [];
  private readonly closeListeners: ((error?: Error) => void)[] = [];
  private isClosed = false;

  constructor(
    readonly description: string,
    /** Writes RESPONSE_AVAILABLE on the interrupt endpoint. */
    private readonly notify: () => void,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Responses dropped because the host stopped fetching them. */
  get writeDrops(): number {
    return this.stats.dropped;
  }

  /** A message from the modem: queued for GET_ENCAPSULATED_RESPONSE, announced on the interrupt endpoint. */
  write(bytes: Uint8Array): void {
    if (this.isClosed) throw new TransportClosedError(this.description);
    this.pending.push(bytes);
    if (this.pending.length > MAX_PENDING_RESPONSES) {
      this.pending.shift();
      this.stats.dropped++;
    }
    this.announce();
  }

  private announce(): void {
    if (this.announced || this.isClosed) return;
    this.announced = true;
    this.reannounceTries = 0;
    this.notify();
    this.armReannounce();
  }

  private armReannounce(): void {
    clearTimeout(this.reannounce);
    this.reannounce = setTimeout(() => {
      if (!this.announced || this.isClosed || this.pending.length === 0 || ++this.reannounceTries > REANNOUNCE_TRIES) return;
      this.stats.reannounced++;
      this.notify();
      this.armReannounce();
    }, REANNOUNCE_MS);
    this.reannounce.unref();
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pending.length = 0;
    clearTimeout(this.reannounce);
    for (const l of this.closeListeners.splice(0)) l();
  }

  /**
   * What one GET of `length` bytes takes: every whole waiting message that fits, or the first piece of
   * a message longer than that (cdc-wdm joins the pieces). A length of 0 takes one whole message.
   */
  private takeResponse(length: number): Uint8Array | undefined {
    const first = this.pending.shift();
    if (!first || length === 0) return first;
    if (first.length > length) {
      this.pending.unshift(first.subarray(length));
      return first.subarray(0, length);
    }
    let size = first.length;
    let n = 0;
    while (n < this.pending.length && size + this.pending[n]!.length <= length) size += this.pending[n++]!.length;
    if (n === 0) return first;
    this.stats.batched += n;
    const out = new Uint8Array(size);
    out.set(first);
    let at = first.length;
    for (const m of this.pending.splice(0, n)) {
      out.set(m, at);
      at += m.length;
    }
    return out;
  }

  /** The host's SEND_ENCAPSULATED_COMMAND and GET_ENCAPSULATED_RESPONSE; undefined for other requests. */
  setup(s: SetupPacket): SetupReply | undefined {
    if (s.requestType === 0x21 && s.request === CDC.SEND_ENCAPSULATED_COMMAND) {
      return {
        read: (data) => {
          this.stats.commands++;
          if (!this.isClosed) for (const l of this.dataListeners) l(data);
        },
      };
    }
    if (s.requestType === 0xa1 && s.request === CDC.GET_ENCAPSULATED_RESPONSE) {
      this.announced = false;
      clearTimeout(this.reannounce);
      const piece = this.takeResponse(s.length);
      if (!piece) {
        this.stats.emptyReads++;
        return { write: new Uint8Array(0) };
      }
      this.stats.responses++;
      if (this.pending.length > 0) this.announce();
      return {
        write: piece,
        // The host gave up on this read (cdc-wdm killed it, or sent the next request first): the
        // piece goes back to the front, announced again, rather than lost.
        unsent: () => {
          if (this.isClosed) return;
          this.stats.requeued++;
          this.pending.unshift(piece);
          this.announce();
        },
      };
    }
    return undefined;
  }
}

/** The class requests of a modem function beyond the encapsulated ones; undefined for unknown requests. */
export function cdcClassRequest(s: SetupPacket, ntb: NtbParameters | undefined): SetupReply | undefined {
  if (s.requestType === 0x21 && s.request === CDC.SET_CONTROL_LINE_STATE) return { read: () => undefined };
  if (!ntb) return undefined;
  switch (s.request) {
    case CDC.GET_NTB_PARAMETERS: {
      const b = Buffer.alloc(28);
      b.writeUInt16LE(28, 0);
      b.writeUInt16LE(1, 2); // NTB16 only
      b.writeUInt32LE(ntb.inMaxSize, 4);
      b.writeUInt16LE(ntb.divisor, 8);
      b.writeUInt16LE(ntb.alignment, 12);
      b.writeUInt32LE(ntb.outMaxSize, 16);
      b.writeUInt16LE(ntb.divisor, 20);
      b.writeUInt16LE(ntb.alignment, 24);
      b.writeUInt16LE(ntb.outMaxDatagrams, 26);
      return { write: new Uint8Array(b) };
    }
    case CDC.GET_NTB_INPUT_SIZE: {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(ntb.inMaxSize);
      return { write: new Uint8Array(b) };
    }
    case CDC.GET_NTB_FORMAT:
      return { write: new Uint8Array(2) };
    case CDC.GET_MAX_DATAGRAM_SIZE:
      return { write: new Uint8Array([0xdc, 0x05]) };
    case CDC.SET_NTB_INPUT_SIZE:
      return {
        read: (data) => {
          // The host's receive size: the most the function may put in one NTB toward it.
          if (data.length >= 4) ntb.inMaxSize = Math.min(ntb.inMaxSize, Buffer.from(data).readUInt32LE(0));
        },
      };
    case CDC.SET_NTB_FORMAT:
    case CDC.SET_MAX_DATAGRAM_SIZE:
      return { read: () => undefined };
    default:
      return undefined;
  }
}

/** Every request nobody answered: OUT requests are acknowledged, IN requests stalled. */
export function defaultReply(s: SetupPacket): SetupReply {
  return s.requestType & 0x80 ? 'stall' : { read: () => undefined };
}
