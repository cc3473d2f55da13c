/**
 * The simulated MBIM modem's device services for DSS (Device Service Stream): each DSS session the
 * host opens carries its datagrams in NTB `DSS<n>` NDPs on the data pipe. An echo service returns what
 * the host sends; an NMEA service emits a GGA sentence every second while connected.
 */
import type { SimDataPlane } from './data-plane.js';

export interface DssServiceInfo {
  uuid: string;
  name: string;
  /** Sessions of this service that may be open at once. */
  maxInstances: number;
}

/** wwankit's own DSS services (vendor UUIDs, as real modems have theirs). */
export const DSS_SERVICES = {
  echo: { uuid: '8d4a6f0e-52b1-4c3a-9e77-5d0f1c2b3a01', name: 'wwankit echo', maxInstances: 4 },
  nmea: { uuid: '8d4a6f0e-52b1-4c3a-9e77-5d0f1c2b3a02', name: 'wwankit NMEA', maxInstances: 1 },
} as const satisfies Record<string, DssServiceInfo>;

/** At most this many DSS sessions at once, all services together (Device Services' MaxDssSessions). */
export const MAX_DSS_SESSIONS = 4;

export type DssRefusal = 'unknown-service' | 'instance-limit' | 'session-in-use' | 'not-open';

interface OpenSession {
  service: DssServiceInfo;
  timer?: NodeJS.Timeout;
}

const NMEA_INTERVAL_MS = 1000;

/** `$GPGGA,…*CS\r\n` for a fixed position at `time`; the checksum is the XOR of the bytes between `$` and `*`. */
export function nmeaGga(time: Date): string {
  const hhmmss = time.toISOString().slice(11, 19).replaceAll(':', '');
  const body = `GPGGA,${hhmmss}.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,`;
  let cs = 0;
  for (let i = 0; i < body.length; i++) cs ^= body.charCodeAt(i);
  return `$${body}*${cs.toString(16).toUpperCase().padStart(2, '0')}\r\n`;
}

export class SimDssServices {
  readonly sessions = new Map<number, OpenSession>();
  /** While set (fault `dss-stall`), no service sends anything to the host. */
  stalled = false;

  constructor(
    private readonly data: SimDataPlane,
    private readonly log: (line: string) => void,
  ) {}

  /** Opens session `id` on the service with `uuid`, or says why not. */
  connect(uuid: string, id: number): DssRefusal | undefined {
    const service = Object.values(DSS_SERVICES).find((s) => s.uuid === uuid.toLowerCase());
    if (!service) return 'unknown-service';
    if (this.sessions.has(id)) return 'session-in-use';
    const open = [...this.sessions.values()];
    if (open.length >= MAX_DSS_SESSIONS || open.filter((s) => s.service === service).length >= service.maxInstances) return 'instance-limit';
    const session: OpenSession = { service };
    if (service === DSS_SERVICES.echo) {
      this.data.dss.set(id, (payload) => this.send(id, payload));
    } else {
      this.data.dss.set(id, () => undefined);
      session.timer = setInterval(() => this.send(id, new TextEncoder().encode(nmeaGga(new Date()))), NMEA_INTERVAL_MS);
      session.timer.unref();
    }
    this.sessions.set(id, session);
    this.log(`DSS session ${id} open on ${service.name}`);
    return undefined;
  }

  disconnect(uuid: string, id: number): DssRefusal | undefined {
    const s = this.sessions.get(id);
    if (!s) return 'not-open';
    if (s.service.uuid !== uuid.toLowerCase()) return 'unknown-service';
    this.close(id);
    return undefined;
  }

  /** Closes every session (a reset, or the modem going away). */
  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.close(id);
  }

  private close(id: number): void {
    clearInterval(this.sessions.get(id)?.timer);
    this.sessions.delete(id);
    this.data.dss.delete(id);
  }

  private send(id: number, payload: Uint8Array): void {
    if (!this.stalled) this.data.sendDss(id, payload);
  }
}
