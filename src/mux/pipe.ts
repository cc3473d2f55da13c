/**
 * One data pipe in one role: picks the decoder and encoder of the negotiated framing for the host
 * (sends uplink, receives downlink) or the modem (the reverse), so the manager's datapath and the
 * simulator's data plane never branch on the framing themselves.
 */
import { BamDmuxDecoder, bamDmuxEncoder, writeBamDmuxCommand, BAM_DMUX_HEADER_LENGTH, type BamDmuxCommand } from './bam-dmux.js';
import type { Clock, Encapsulator, Link, TransferSink } from './framing.js';
import { channelControlEvent, qmapControlEvent, type ControlEvent } from './control.js';
import { NtbDecoder, ntbEncoder, type NtbFormat } from './ntb.js';
import { QmapDecoder, completeQmapChecksum, deferQmapChecksum, qmapEncoder, type QmapFrameInfo, type QmapVersion } from './qmap.js';
import { QmimuxDecoder, qmimuxEncoder } from './qmimux.js';
import { RawIpDecoder, RawIpEncoder } from './raw-ip.js';
import type { PartialChecksum } from '../wire/checksum.js';

export type PipeFormat =
  | { framing: 'raw-ip' }
  /** Limits are for what this side sends. */
  | {
      framing: 'qmap';
      version: QmapVersion;
      maxDatagrams: number;
      maxBytes: number;
      timeLimitMs?: number;
      /** Host, v4/v5: ask the modem to finish TCP/UDP checksums (the packets carry the pseudo-header sum). */
      checksumOffload?: boolean;
    }
  /**
   * qmi_wwan's qmimux. The modem side may aggregate its downlink as the host negotiated it: up to
   * maxDatagrams frames, maxBytes in a transfer, closed after timeLimitMs (default: a frame each).
   */
  | { framing: 'qmimux'; maxDatagrams?: number; maxBytes?: number; timeLimitMs?: number }
  | { framing: 'bam-dmux' }
  | { framing: 'ntb'; format?: NtbFormat; maxBytes?: number; maxDatagrams?: number; timeLimitMs?: number };

export type PipeRole = 'host' | 'modem';

export interface PipeEvents {
  /**
   * A received packet. `partial` (only with `partialChecksums`) says its TCP/UDP checksum is left
   * for the receiver to finish; read it during the call. `checksumValid` (the host, QMAPv4/v5 with
   * checksum offload): the modem verified the packet's TCP/UDP checksum, as rmnet trusts it.
   */
  packet(link: Link, packet: Uint8Array, partial?: PartialChecksum, checksumValid?: boolean): void;
  /**
   * The modem side: TCP/UDP checksums a QMAPv4/v5 host asked the modem to finish are handed on
   * partial (for a TUN's NEEDS_CSUM) instead of computed here.
   */
  partialChecksums?: boolean;
  /** QMAP flow control and other commands, BAM-DMUX channel OPEN/CLOSE: decoded, typed. */
  control?(event: ControlEvent): void;
  drop?(reason: string, offset: number): void;
}

interface Receiver {
  readonly drops: Record<string, number>;
  decapsulate(transfer: Uint8Array, sink: never): void;
}

export class PipeFraming {
  private readonly receiver: Receiver;
  private readonly encoder: Encapsulator<string>;
  private readonly sink: object;
  private readonly onTransfer: TransferSink;
  /** Transfers handed to the pipe so far. */
  transfers = 0;

  constructor(
    readonly format: PipeFormat,
    readonly role: PipeRole,
    onTransfer: TransferSink,
    events: PipeEvents,
    clock?: Clock,
  ) {
    this.onTransfer = (t) => {
      this.transfers++;
      onTransfer(t);
    };
    const rx = role === 'host' ? 'downlink' : 'uplink';
    const tx = role === 'host' ? 'uplink' : 'downlink';
    // The modem finishes the TCP/UDP checksums a QMAPv4/v5 host asked it to (checksum offload).
    const offload = role === 'modem' && format.framing === 'qmap' && format.version !== 1 ? format.version : undefined;
    const partial: PartialChecksum = { start: 0, offset: 0 };
    const complete = (link: Link, packet: Uint8Array, info: QmapFrameInfo): void => {
      completeQmapChecksum(packet, info, offload!);
      events.packet(link, packet);
    };
    // The host takes the modem's verdict on downlink checksums where it negotiated the offload.
    const verdicts = role === 'host' && format.framing === 'qmap' && format.version !== 1 && format.checksumOffload === true;
    this.sink = {
      packet: verdicts
        ? (link: Link, packet: Uint8Array, info: QmapFrameInfo) => events.packet(link, packet, undefined, info.checksum === 'valid')
        : offload === undefined
          ? (link: Link, packet: Uint8Array) => events.packet(link, packet)
          : events.partialChecksums
            ? (link: Link, packet: Uint8Array, info: QmapFrameInfo) => {
                if (deferQmapChecksum(packet, info, offload, partial)) events.packet(link, packet, partial);
                else complete(link, packet, info);
              }
            : complete,
      drop: (reason: string, offset: number) => events.drop?.(reason, offset),
      command: (link: Link, c: BamDmuxCommand | Uint8Array) => events.control?.(c instanceof Uint8Array ? qmapControlEvent(link, c) : channelControlEvent(link, c)),
    };
    switch (format.framing) {
      case 'raw-ip':
        this.receiver = new RawIpDecoder();
        this.encoder = new RawIpEncoder(this.onTransfer);
        break;
      case 'qmap':
        this.receiver = new QmapDecoder({ version: format.version, direction: rx });
        this.encoder = qmapEncoder(
          { version: format.version, direction: tx, maxDatagrams: format.maxDatagrams, maxBytes: format.maxBytes, timeLimitMs: format.timeLimitMs, checksumOffload: role === 'host' && format.checksumOffload },
          this.onTransfer,
          clock,
        );
        break;
      case 'qmimux':
        // qmi_wwan's qmimux speaks plain QMAPv1; the modem may still aggregate its downlink.
        this.receiver = role === 'host' ? new QmimuxDecoder() : new QmapDecoder({ version: 1, direction: 'uplink' });
        this.encoder =
          role === 'host'
            ? qmimuxEncoder(this.onTransfer)
            : qmapEncoder({ version: 1, direction: 'downlink', maxDatagrams: format.maxDatagrams ?? 1, maxBytes: format.maxBytes ?? 0xffff + 4, timeLimitMs: format.timeLimitMs }, this.onTransfer, clock);
        break;
      case 'bam-dmux':
        this.receiver = new BamDmuxDecoder();
        this.encoder = bamDmuxEncoder(this.onTransfer);
        break;
      case 'ntb':
        this.receiver = new NtbDecoder({ rxMax: Math.max(format.maxBytes ?? 16384, 65536) });
        this.encoder = ntbEncoder({ format: format.format, maxBytes: format.maxBytes, maxDatagrams: format.maxDatagrams, timeLimitMs: format.timeLimitMs }, this.onTransfer, clock);
        break;
    }
  }

  /** Hands every packet of one received transfer to the events (as views into it). */
  receive(transfer: Uint8Array): void {
    this.receiver.decapsulate(transfer, this.sink as never);
  }

  /** Queues a packet for the peer (`partial`: its TCP/UDP checksum is the modem's to finish); false if the framing dropped it. */
  send(link: Link, packet: Uint8Array, partial?: boolean): boolean {
    return this.encoder.send(link, packet, partial);
  }

  flush(): void {
    this.encoder.flush();
  }

  /** BAM-DMUX channel OPEN/CLOSE: a bare 8-byte header sent in a transfer of its own. */
  sendChannelCommand(link: Link, command: BamDmuxCommand): void {
    if (this.format.framing !== 'bam-dmux') throw new Error('channel commands are BAM-DMUX only');
    const frame = new Uint8Array(BAM_DMUX_HEADER_LENGTH);
    writeBamDmuxCommand(frame, link.id, command);
    this.onTransfer(frame);
  }

  drops(): { receive: Record<string, number>; send: Record<string, number> } {
    return { receive: { ...this.receiver.drops }, send: { ...this.encoder.drops } };
  }
}
