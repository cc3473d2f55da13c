export * from './address.js';
export * from './compose.js';
export * from './gsm7.js';
export * from './pdu.js';
export * from './reassembly.js';
export * from './user-data.js';
export * from './storage.js';
