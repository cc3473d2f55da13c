/**
 * BAM-DMUX channel lifecycle. The modem decides which channels exist: its first OPEN of a channel
 * creates the link (the driver's wwan%d netdev), CLOSE detaches it, a later OPEN re-attaches it.
 * The host sends OPEN when it brings a link up and CLOSE when it takes it down. Data flows only on a
 * channel that the modem has open and the host has up.
 */
import { countDrop, dropCounts, ipLink } from './framing.js';
import type { DropListener, Link } from './framing.js';
import { BAM_DMUX_CHANNELS } from './bam-dmux.js';
import type { BamDmuxCommand, BamDmuxFrameInfo, BamDmuxSink } from './bam-dmux.js';

export const BAM_DMUX_CHANNEL_DROP_REASONS = [
  'inactive-channel', // data for a channel that is not open on both sides
  'already-open', // a duplicate modem OPEN
  'not-open', // a modem CLOSE for a channel that is not open
] as const;
export type BamDmuxChannelDropReason = (typeof BAM_DMUX_CHANNEL_DROP_REASONS)[number];

export interface BamDmuxChannelEvents extends DropListener<BamDmuxChannelDropReason> {
  /** The modem opened the channel for the first time: its link exists from now on. */
  created(link: Link): void;
  /** The modem re-opened a channel whose link exists. */
  attached(link: Link): void;
  /** The modem closed the channel; the link stays, without data, until it is opened again. */
  detached(link: Link): void;
  packet(link: Link, packet: Uint8Array): void;
  /** The host's OPEN or CLOSE for the modem. */
  sendCommand(link: Link, command: BamDmuxCommand): void;
}

export interface BamDmuxChannelState {
  exists: boolean;
  remoteOpen: boolean;
  up: boolean;
}

/** Sits between the BamDmuxDecoder and the links: give it to decapsulate() as the sink. */
export class BamDmuxChannels implements BamDmuxSink {
  readonly drops = dropCounts(BAM_DMUX_CHANNEL_DROP_REASONS);
  private readonly channels: BamDmuxChannelState[] = Array.from({ length: BAM_DMUX_CHANNELS }, () => ({
    exists: false,
    remoteOpen: false,
    up: false,
  }));

  constructor(private readonly events: BamDmuxChannelEvents) {}

  state(link: Link): Readonly<BamDmuxChannelState> | undefined {
    return link.kind === 'ip' ? this.channels[link.id] : undefined;
  }

  /** Channels whose links exist. */
  links(): Link[] {
    return this.channels.flatMap((c, ch) => (c.exists ? [ipLink(ch)] : []));
  }

  packet(link: Link, packet: Uint8Array, _info: BamDmuxFrameInfo): void {
    const c = this.channels[link.id]!;
    if (c.exists && c.remoteOpen && c.up) this.events.packet(link, packet);
    else countDrop(this.drops, this.events, 'inactive-channel', 0);
  }

  command(link: Link, command: BamDmuxCommand): void {
    const c = this.channels[link.id]!;
    if (command === 'open') {
      if (c.remoteOpen) return countDrop(this.drops, this.events, 'already-open', 0);
      c.remoteOpen = true;
      if (c.exists) return this.events.attached(link);
      c.exists = true;
      return this.events.created(link);
    }
    if (!c.remoteOpen) return countDrop(this.drops, this.events, 'not-open', 0);
    c.remoteOpen = false;
    this.events.detached(link);
  }

  /** The host brings a link up (ifup): OPEN goes to the modem. False if the modem never created it. */
  linkUp(link: Link): boolean {
    const c = this.state(link);
    if (!c?.exists || c.up) return false;
    this.channels[link.id]!.up = true;
    this.events.sendCommand(link, 'open');
    return true;
  }

  /** The host takes a link down (ifdown): CLOSE goes to the modem. */
  linkDown(link: Link): boolean {
    const c = this.state(link);
    if (!c?.up) return false;
    this.channels[link.id]!.up = false;
    this.events.sendCommand(link, 'close');
    return true;
  }
}
