/**
 * The link model: a link id on a modem's data pipe, which each framing maps to its own number (QMAP
 * mux id, qmimux id, BAM-DMUX channel, MBIM IP session, DSS session), ends in a netdev (IP links) or
 * a byte stream (DSS links). A backend gives links their ends: in this process over the pipe
 * (userspace.ts) or in the kernel's own devices (kernel.ts). The modem calls the same methods on
 * either and never asks which one it has.
 */
import type { PipeFormat } from '../mux/pipe.js';
import type { Netdev } from '../net/netdev.js';
import type { Datapath, DatapathLink } from './datapath.js';

/** What the rest of the stack reads of a datapath, wherever it runs (this thread or the datapath thread). */
export interface DatapathView {
  readonly format: PipeFormat;
  readonly stats: Readonly<Datapath['stats']>;
  readonly links: ReadonlyMap<number, Readonly<Pick<DatapathLink, 'paused' | 'pauses' | 'queueDropped'>>>;
  drops(): ReturnType<Datapath['drops']>;
}

/** What an IP link is given when attached. */
export interface IpLinkConfig {
  /** The netdev name to use where the backend names it (userspace); the kernel names its own. */
  name: string;
  /** The negotiated downlink aggregation size (the kernel backend sizes the parent's MTU from it). */
  downlinkMaxSize?: number;
}

/** A stream link's far end as the backend hands it over: datagrams in both directions. */
export interface StreamPort {
  /** The stream's stable name where the backend has one (kernel: after the master netdev, `wwan0-dss0`). */
  name?: string;
  /** The largest datagram the link carries (kernel: the VLAN's MTU); writes are cut to it. */
  maxDatagram?: number;
  /** Sends one datagram to the modem; false if it was dropped (the pipe refused it or the link is gone). */
  send(payload: Uint8Array): boolean;
  /** Registers the receiver of the modem's datagrams (a view valid during the call). */
  onData(receive: (payload: Uint8Array) => void): void;
}

/** How the link's two ends look to someone listing them (`wwan links`, `info`). */
export interface LinkTopology {
  /** Where the link's data enters the host: the pipe (userspace) or the kernel's master netdev. */
  lower: string;
  /** What carries the link above it: the netdev's name, or the stream's name. */
  upper: string;
  /** BAM-DMUX: the link's channel, as the modem made and opened it and this host brought it up. */
  channel?: { exists: boolean; remoteOpen: boolean; up: boolean };
}

export interface LinkBackend {
  readonly kind: 'userspace' | 'kernel';
  /** The pipe's framing and links where this process carries the data. */
  readonly datapath?: DatapathView | undefined;
  /** The negotiated pipe format; undefined until the first negotiation. */
  readonly format: PipeFormat | undefined;
  /** The data format was (re)negotiated: the pipe follows it; attached links stay attached. */
  setFormat(format: PipeFormat): Promise<void>;
  /** Gives IP link `id` its netdev and carries its packets; an attached link keeps the netdev it has. */
  attach(id: number, config: IpLinkConfig): Promise<Netdev>;
  /** Removes IP link `id` and closes its netdev. */
  detach(id: number): Promise<void>;
  /** Carries stream link `session` (a DSS session). */
  attachStream(session: number): Promise<StreamPort>;
  detachStream(session: number): Promise<void>;
  /** Where link `id` runs below and above. */
  topology(id: number, kind: 'ip' | 'stream'): LinkTopology | undefined;
  /** What the backend dropped, by place and reason (userspace: the framing's and the pipe's). */
  stats(): Record<string, unknown>;
  close(): Promise<void>;
}
