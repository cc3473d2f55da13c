/**
 * wwankit as a library: the modem manager and its modems, bearers and links, the simulated modem, the
 * daemon and its client. The codecs live in their own entry points: `wwankit/qmi`, `wwankit/mbim` and
 * `wwankit/mux` (the data framings), also reachable here as the `qmi`, `mbim` and `mux` namespaces.
 *
 * @packageDocumentation
 */
export { Manager, type ManagerEvents, type ModemSpec, type NetdevFactory } from './modem/manager.js';
export { Modem, type Bearer, type BearerStatus, type ModemEvents, type ModemOptions, type ModemState } from './modem/modem.js';
export {
  ConfigError,
  ConnectError,
  type AuthType,
  type BearerRequest,
  type ConnectedBearer,
  type ControlProtocol,
  type IpType,
  type Ipv4Config,
  type Ipv6Config,
  type ModemIdentity,
  type Multiplex,
  type Registration,
  type SignalQuality,
  type SimStatus,
} from './modem/types.js';
export { Datapath, type DatapathLink, type DatapathOptions } from './link/datapath.js';
export type { Netdev, NetdevConfig, NetdevCounters } from './net/netdev.js';
export { MemoryNetdev } from './net/memory.js';
export { TunNetdev } from './net/tun-netdev.js';
export { pingThrough, type PingResult } from './net/ping.js';
export { Simulator, type SimulatorOptions } from './sim/simulator.js';
export { PROFILES, isProfileName, type ProfileName, type SimProfile } from './sim/profiles.js';
export { Daemon, type DaemonOptions } from './daemon/server.js';
export { DaemonClient, DaemonError, defaultSocket } from './daemon/client.js';
export { METHODS, EVENTS, ERRORS, type ApiEvent, type EventName, type ErrorBody, type ErrorName, type Method, type Params, type Result } from './daemon/api.js';
export * as qmi from './qmi/index.js';
export * as mbim from './mbim/index.js';
export * as mux from './mux/index.js';
