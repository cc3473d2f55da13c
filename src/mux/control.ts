/**
 * Control traffic a framing carries beside packets, decoded once into typed events: QMAP flow control
 * (with the ACK rmnet would answer) and other QMAP commands, and BAM-DMUX channel OPEN/CLOSE. Layers
 * above never see control bytes.
 */
import type { BamDmuxCommand } from './bam-dmux.js';
import type { Link } from './framing.js';
import { parseQmapCommand, qmapCommandAck, QMAP_FLOW_DISABLE, QMAP_FLOW_ENABLE, type QmapCommand } from './qmap.js';

export type ControlEvent =
  /** QMAP FLOW_DISABLE/FLOW_ENABLE for a mux id; `ack` is the reply to send (null where rmnet stays silent). */
  | { kind: 'flow'; link: Link; enabled: boolean; command: QmapCommand; ack: Uint8Array | null }
  /** Any other QMAP command (an unknown name, a reply); null when too short to read. */
  | { kind: 'qmap-command'; link: Link; command: QmapCommand | null }
  /** BAM-DMUX: the peer opened or closed a channel. */
  | { kind: 'channel'; link: Link; open: boolean };

/** The typed event for one QMAP command frame (MAP header and body). */
export function qmapControlEvent(link: Link, frame: Uint8Array): ControlEvent {
  const command = parseQmapCommand(frame);
  // rmnet acts on the name whatever the type says.
  if (command && (command.name === QMAP_FLOW_DISABLE || command.name === QMAP_FLOW_ENABLE)) {
    return { kind: 'flow', link, enabled: command.name === QMAP_FLOW_ENABLE, command, ack: qmapCommandAck(frame, command) };
  }
  return { kind: 'qmap-command', link, command };
}

export function channelControlEvent(link: Link, command: BamDmuxCommand): ControlEvent {
  return { kind: 'channel', link, open: command === 'open' };
}
