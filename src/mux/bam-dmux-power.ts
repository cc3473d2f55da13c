/**
 * BAM-DMUX power control and the TX ring, as the mainline driver runs them.
 *
 * The modem powers the link: its `pc` interrupt says on or off, and the host answers each change by
 * toggling its `pc-ack` bit (after setting up or tearing down RX DMA). The host votes with its own
 * `pc` bit before transmitting and waits for the modem's `pc-ack` interrupt. Transmit resumes the
 * host side first (wait for the previous vote's ack, vote on, wait for the ack, wait for the modem
 * to be powered; 2 s each, a timeout withdraws the vote) and holds frames in their ring slots until
 * then. 1 s after the last frame completes, the host votes off again.
 */
import { dropCounts, systemClock } from './framing.js';
import type { Clock, Link, TimerHandle } from './framing.js';
import { BAM_DMUX_MAX_FRAME, rejectBamDmuxPacket, writeBamDmuxCommand, writeBamDmuxData } from './bam-dmux.js';
import type { BamDmuxCommand } from './bam-dmux.js';

export const BAM_DMUX_TX_SLOTS = 32;
export const BAM_DMUX_REMOTE_TIMEOUT_MS = 2000;
export const BAM_DMUX_AUTOSUSPEND_MS = 1000;

/** The hardware around the state machine: SMEM state bits, DMA, and the links' queues. */
export interface BamDmuxPowerPort {
  /** The host's `pc` bit: its power vote. */
  setVote(on: boolean): void;
  /** The host's `pc-ack` bit. */
  setAck(level: boolean): void;
  /** The modem powered up: request RX DMA and queue the RX buffers. */
  startRx(): void;
  /** The modem powered down: tear DMA down. */
  stopDma(): void;
  /** Hands a frame to TX DMA; call txDone(slot) when it completes. The frame stays valid until then. */
  submit(slot: number, frame: Uint8Array): void;
  stopQueues(): void;
  wakeQueues(): void;
}

export type BamDmuxPowerState = 'suspended' | 'resuming' | 'active';
type ResumeWait = 'previous-ack' | 'ack' | 'remote';

export const BAM_DMUX_POWER_DROP_REASONS = ['channel', 'too-large', 'resume-timeout'] as const;
export type BamDmuxPowerDropReason = (typeof BAM_DMUX_POWER_DROP_REASONS)[number];

/** queued: in the ring (sent or waiting for resume); busy: the ring is full, retry after wakeQueues. */
export type BamDmuxSendResult = 'queued' | 'busy' | 'dropped';

export class BamDmuxPower {
  readonly drops = dropCounts(BAM_DMUX_POWER_DROP_REASONS);
  private powerState: BamDmuxPowerState = 'suspended';
  private remotePowered = false;
  private ackLevel = false;
  /** A vote is waiting for its ack. */
  private voteUnacked = false;
  private waiting: ResumeWait | null = null;
  private timer: TimerHandle | null = null;
  private readonly slots: Uint8Array[] = Array.from({ length: BAM_DMUX_TX_SLOTS }, () => new Uint8Array(BAM_DMUX_MAX_FRAME));
  /** Frame length per slot; 0 = free. */
  private readonly used = new Int32Array(BAM_DMUX_TX_SLOTS);
  private readonly deferred = new Uint8Array(BAM_DMUX_TX_SLOTS);
  private next = 0;
  /** Frames in the ring: the runtime-PM usage count. */
  private inFlight = 0;
  private readonly onTimeout = (): void => this.timedOut();

  /** `remotePowered` is the `pc` level sampled at probe. */
  constructor(
    private readonly port: BamDmuxPowerPort,
    options: { remotePowered?: boolean } = {},
    private readonly clock: Clock = systemClock,
  ) {
    if (options.remotePowered) this.remotePowerChanged(true);
  }

  get state(): BamDmuxPowerState {
    return this.powerState;
  }

  send(link: Link, packet: Uint8Array): BamDmuxSendResult {
    const why = rejectBamDmuxPacket(link, packet);
    if (why) {
      this.drops[why]++;
      return 'dropped';
    }
    const slot = this.claim();
    if (slot < 0) return 'busy';
    return this.dispatch(slot, writeBamDmuxData(this.slots[slot]!, link.id, packet));
  }

  sendCommand(link: Link, command: BamDmuxCommand): BamDmuxSendResult {
    const slot = this.claim();
    if (slot < 0) return 'busy';
    return this.dispatch(slot, writeBamDmuxCommand(this.slots[slot]!, link.id, command));
  }

  /** TX DMA finished with a slot. */
  txDone(slot: number): void {
    if (this.used[slot] === 0) return;
    this.release(slot);
    if (slot === this.next % BAM_DMUX_TX_SLOTS) this.port.wakeQueues();
  }

  /** The modem's `pc` interrupt. */
  remotePowerChanged(on: boolean): void {
    if (on === this.remotePowered) return;
    if (on) this.port.startRx();
    else this.port.stopDma();
    this.ackLevel = !this.ackLevel;
    this.port.setAck(this.ackLevel);
    this.remotePowered = on;
    if (on && this.waiting === 'remote') this.becomeActive();
  }

  /** The modem's `pc-ack` interrupt: it saw the host's last vote. */
  voteAcked(): void {
    this.voteUnacked = false;
    if (this.waiting === 'previous-ack') this.voteOn();
    else if (this.waiting === 'ack') this.afterVoteAck();
  }

  private claim(): number {
    const slot = this.next % BAM_DMUX_TX_SLOTS;
    if (this.used[slot] !== 0) {
      this.port.stopQueues();
      return -1;
    }
    this.next++;
    if (this.used[this.next % BAM_DMUX_TX_SLOTS] !== 0) this.port.stopQueues();
    return slot;
  }

  private dispatch(slot: number, length: number): BamDmuxSendResult {
    this.used[slot] = length;
    this.inFlight++;
    if (this.powerState === 'active') {
      this.cancelTimer(); // autosuspend
      this.port.submit(slot, this.slots[slot]!.subarray(0, length));
      return 'queued';
    }
    this.deferred[slot] = 1;
    if (this.powerState === 'suspended') this.resume();
    return 'queued';
  }

  private release(slot: number): void {
    this.used[slot] = 0;
    this.deferred[slot] = 0;
    this.inFlight--;
    if (this.inFlight === 0 && this.powerState === 'active') this.arm(BAM_DMUX_AUTOSUSPEND_MS);
  }

  private resume(): void {
    this.powerState = 'resuming';
    if (this.voteUnacked) this.wait('previous-ack');
    else this.voteOn();
  }

  private voteOn(): void {
    this.setVote(true);
    this.wait('ack');
  }

  private afterVoteAck(): void {
    if (this.remotePowered) this.becomeActive();
    else this.wait('remote');
  }

  private becomeActive(): void {
    this.cancelTimer();
    this.waiting = null;
    this.powerState = 'active';
    // Oldest first: the slot after the newest is the oldest that may still be held.
    for (let i = 0; i < BAM_DMUX_TX_SLOTS; i++) {
      const slot = (this.next + i) % BAM_DMUX_TX_SLOTS;
      if (this.deferred[slot]) {
        this.deferred[slot] = 0;
        this.port.submit(slot, this.slots[slot]!.subarray(0, this.used[slot]));
      }
    }
    if (this.inFlight === 0) this.arm(BAM_DMUX_AUTOSUSPEND_MS);
  }

  private wait(what: ResumeWait): void {
    this.waiting = what;
    this.arm(BAM_DMUX_REMOTE_TIMEOUT_MS);
  }

  private timedOut(): void {
    this.timer = null;
    if (this.powerState === 'active') {
      // Autosuspend: idle long enough.
      this.powerState = 'suspended';
      this.setVote(false);
      return;
    }
    // Only a vote this resume made is withdrawn; the frames it held are dropped.
    if (this.waiting !== 'previous-ack') this.setVote(false);
    this.waiting = null;
    this.powerState = 'suspended';
    for (let slot = 0; slot < BAM_DMUX_TX_SLOTS; slot++) {
      if (this.deferred[slot]) {
        this.drops['resume-timeout']++;
        this.release(slot);
      }
    }
    this.port.wakeQueues();
  }

  private setVote(on: boolean): void {
    this.voteUnacked = true;
    this.port.setVote(on);
  }

  private arm(ms: number): void {
    this.cancelTimer();
    this.timer = this.clock.setTimer(ms, this.onTimeout);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }
}
