/**
 * What a transfer holds, as plain JSON for `wwan decode`: every packet the framing's decoder finds,
 * located in the input, plus everything it dropped and why. It runs the same decoders as the data
 * path, so what it says is what a link would receive.
 */
import { BamDmuxDecoder } from './bam-dmux.js';
import { internetChecksum } from '../wire/checksum.js';
import { packetType } from './framing.js';
import type { Link, PacketType } from './framing.js';
import { NtbDecoder } from './ntb.js';
import { QmapDecoder, parseQmapCommand, qmapCommandName } from './qmap.js';
import type { QmapDirection, QmapVersion } from './qmap.js';
import { QmimuxDecoder } from './qmimux.js';

/** CDC_NCM_NTB_MAX_SIZE_RX: the decode tool accepts any NTB a Linux host could be set up for. */
const NTB_MAX_RX = 65536;

export type DescribeFormat = 'qmap' | 'qmimux' | 'bam-dmux' | 'ntb';

export interface DescribedPacket {
  /** Mux id, channel or session. */
  link: number;
  type: PacketType | 'command' | 'open' | 'close' | 'dss';
  /** Where the payload sits in the input. */
  offset: number;
  length: number;
  [extra: string]: unknown;
}

export interface Description {
  packets: DescribedPacket[];
  errors: { offset: number; reason: string }[];
}

export interface DescribeOptions {
  qmapVersion?: QmapVersion;
  /** v4 frames differ by direction; captures are usually downlink. */
  qmapDirection?: QmapDirection;
}

/** Decodes a data transfer of any framing for people; never throws. */
export function describeTransfer(format: DescribeFormat, bytes: Uint8Array, opts: DescribeOptions = {}): Description {
  const packets: DescribedPacket[] = [];
  const errors: Description['errors'] = [];
  const at = (view: Uint8Array): number => view.byteOffset - bytes.byteOffset;
  const add = (link: Link, view: Uint8Array, extra: Record<string, unknown>): void => {
    packets.push({ link: link.id, type: packetType(view[0]), offset: at(view), length: view.length, ...extra });
  };
  const drop = (reason: string, offset: number): void => {
    errors.push({ offset, reason });
  };

  switch (format) {
    case 'qmap': {
      const version = opts.qmapVersion ?? 1;
      const direction = opts.qmapDirection ?? 'downlink';
      new QmapDecoder({ version, direction }).decapsulate(bytes, {
        packet(link, view, info) {
          const extra: Record<string, unknown> = { frame: info.frame, pad: info.pad, checksum: info.checksum };
          if (version === 4 && direction === 'downlink') {
            extra.checksumValue = info.checksumValue;
            extra.checksumMatches = info.checksumValue === internetChecksum(view);
          } else if (version === 4) {
            extra.checksumStart = info.checksumStart;
            extra.checksumInsert = info.checksumInsert;
            extra.checksumUdp = info.checksumUdp;
          }
          add(link, view, extra);
        },
        command(link, frame) {
          const cmd = parseQmapCommand(frame);
          packets.push({
            link: link.id,
            type: 'command',
            offset: at(frame) + 4,
            length: frame.length - 4,
            ...(cmd
              ? { command: qmapCommandName(cmd.name), commandType: cmd.type, transactionId: cmd.transactionId }
              : { command: 'truncated' }),
          });
        },
        drop,
      });
      break;
    }
    case 'qmimux':
      new QmimuxDecoder().decapsulate(bytes, {
        packet: (link, view, info) => add(link, view, { frame: info.frame, pad: info.pad }),
        drop,
      });
      break;
    case 'bam-dmux':
      new BamDmuxDecoder().decapsulate(bytes, {
        packet: (link, view, info) => add(link, view, { pad: info.pad, signal: info.signal }),
        command: (link, command) => packets.push({ link: link.id, type: command, offset: 8, length: 0 }),
        drop,
      });
      break;
    case 'ntb':
      new NtbDecoder({ rxMax: Math.max(NTB_MAX_RX, bytes.length) }).decapsulate(bytes, {
        packet(link, view, info) {
          const name = String.fromCharCode(info.signature & 0xff, (info.signature >> 8) & 0xff, (info.signature >> 16) & 0xff);
          const extra = { ntb: info.format, ndp: info.ndp, signature: `${name}${link.id}`, entry: info.entry };
          if (link.kind === 'dss') packets.push({ link: link.id, type: 'dss', offset: at(view), length: view.length, ...extra });
          else add(link, view, extra);
        },
        drop,
      });
      break;
  }
  return { packets, errors };
}
