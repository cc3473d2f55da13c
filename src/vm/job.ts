/** What the host side of `wwan vm run` hands the guest (job.json in the run folder) and hears back. */
import type { ProfileName } from '../sim/profiles.js';

/** The run folder, shared read-write over 9p, as the guest sees it. */
export const GUEST_RUN_DIR = '/run/wwan-vm';

/** The virtio serial ports, by name: the command's stdout and stderr, and the guest's events. */
export const PORTS = { stdout: 'wwan.stdout', stderr: 'wwan.stderr', events: 'wwan.events' } as const;

export interface VmJob {
  profile: ProfileName;
  modems: number;
  argv: string[];
  cwd: string;
  /** Simulator and progress lines on the events port. */
  verbose: boolean;
  /** Extra environment for the command. */
  env: Record<string, string>;
  /** QRTR instead of USB: the qrtr module, and the modem (if any) publishes its QMI services on the local node. */
  qrtr?: boolean;
  /** The simulator bridges PDN traffic into a TUN in this network namespace (real servers answer there). */
  simNetns?: string;
}

/** One JSON line on the events port. */
export type GuestEvent =
  | { event: 'log'; line: string }
  /** The modems are plugged in and their drivers bound: the control devices and netdevs. */
  | { event: 'ready'; uptime: number; devices: { control: string; netdev: string; driver: string }[] }
  | { event: 'exit'; code: number | null; signal: string | null; uptime: number }
  | { event: 'error'; message: string };
