export { SimNetwork, NETWORK_DROP_REASONS, ECHO_PORT, type NetworkDropReason, type NetworkAnswers, type SimNetworkOptions, type ReplySink } from './network.js';
export { DEFAULT_DNS_HOSTS, GATEWAY_NAME, type DnsHost } from './dns.js';
export { pdnAddresses, type PdnAddresses, type PdnFamilyAddresses } from './pdn-addresses.js';
export { TunBridge, TUN_BRIDGE_DROP_REASONS, type TunBridgeDropReason, type TunBridgeOptions } from './tun-bridge.js';
