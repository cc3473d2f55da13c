/**
 * QMI: the QMUX framing, the services declared as data (each declaration gives encoder, decoder and types),
 * a client for a QMI control port, and a decoder for people.
 *
 * @packageDocumentation
 */
export { QmiDevice, QmiClient, QmiTimeoutError, QmiClosedError, QmiResponseError, type QmiDeviceOptions } from './client.js';
export { encodeQmux, decodeQmux, type QmuxFrame, type QmuxEncodeInput } from './qmux.js';
export { describeQmux, type DescribedQmux } from './describe.js';
export { redactQmux } from './redact.js';
export { services, findService, findMessage } from './registry.js';
export type { ServiceDef, MessageDef, RequestOf, ResponseOf } from './schema.js';
