export * from './types.js';
export * from './stream.js';
export * from './memory.js';
export * from './unix.js';
export * from './chardev.js';
export * from './pty.js';
