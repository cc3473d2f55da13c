export * from './errors.js';
export * from './reader.js';
export * from './writer.js';
export * from './hex.js';
export * from './uuid.js';
export * from './ip.js';
export * from './pending.js';
export * from './alloc.js';
