import { closeSync, constants, openSync, readSync, statSync, writeSync, type Stats } from 'node:fs';
import net from 'node:net';
import { isatty, ReadStream } from 'node:tty';
import { native, POLL_READABLE, POLL_WRITABLE, type ReadableWatch } from '../native/index.js';
import { StreamTransport } from './stream.js';
import { TRANSPORT_MAX_QUEUED, TransportClosedError, type Transport } from './types.js';

export class DeviceOpenError extends Error {
  override readonly name = 'DeviceOpenError';
}

/** libqmi and libmbim refuse a device path that is missing or not a special file, even via a proxy. */
export function checkSpecialFile(path: string): Stats {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new DeviceOpenError(`couldn't open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!st.isCharacterDevice() && !st.isFIFO()) throw new DeviceOpenError(`couldn't open ${path}: not a special file`);
  return st;
}

/**
 * Opens a control character device (/dev/cdc-wdmN, /dev/wwanNqmiN, or a pty slave standing in for
 * one). Like libqmi, the path must exist and be a special file.
 */
export function openCharDevice(path: string): Transport {
  const st = checkSpecialFile(path);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (e) {
    throw new DeviceOpenError(`couldn't open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (isatty(fd)) return new StreamTransport(new ReadStream(fd), path);
  if (st.isFIFO()) return new StreamTransport(new net.Socket({ fd, readable: true, writable: true }), path);
  return new FileDeviceTransport(fd, path);
}

/** Bytes one read takes: more than any cdc-wdm message (wMaxCommand is at most 4 KiB here; MBIM up to 64 KiB). */
const READ_SIZE = 65536;

/**
 * A non-tty character device (cdc-wdm). libuv calls it a file and would read it on the thread pool:
 * a blocking read there parks one of its four threads until the modem speaks, and a read queued
 * when the port is closed later runs on whatever file took the freed fd number. So the fd stays
 * non-blocking and the addon's poll handle says when to read and, after EAGAIN (cdc-wdm takes one
 * message at a time: the next write waits until the last is on the bus), when to write again.
 */
export class FileDeviceTransport implements Transport {
  private watch: ReadableWatch | null;
  private readonly buffer = Buffer.allocUnsafe(READ_SIZE);
  private readonly dataListeners: ((chunk: Uint8Array) => void)[] = [];
  private closeListeners: ((error?: Error) => void)[] = [];
  /** Messages not yet taken by the device, oldest first (the first maybe partly written). */
  private readonly queue: Uint8Array[] = [];
  private unsent = 0;
  private waitingWritable = false;
  writeDrops = 0;

  /** Takes `fd` (opened O_NONBLOCK) and closes it with the transport. */
  constructor(
    private readonly fd: number,
    readonly description: string,
  ) {
    this.watch = native().watchReadable(fd, (status, events) => this.ready(status, events));
  }

  get closed(): boolean {
    return this.watch === null;
  }

  write(bytes: Uint8Array): void {
    if (this.closed) throw new TransportClosedError(this.description);
    if (this.unsent > TRANSPORT_MAX_QUEUED) {
      this.writeDrops++;
      return;
    }
    this.queue.push(bytes);
    this.unsent += bytes.length;
    if (!this.waitingWritable) this.flush();
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.closed) queueMicrotask(() => listener());
    else this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    this.finish();
  }

  private ready(status: number, events: number): void {
    // libuv tells POLLERR (the device went away, or a failed transfer) as EBADF and stops polling:
    // a read says why when it can.
    if (status < 0) {
      this.read();
      return this.finish(new Error(`${this.description}: the device reported an error (${status === -9 ? 'POLLERR' : status})`));
    }
    if (events & POLL_WRITABLE) this.flush();
    if (events & POLL_READABLE) this.read();
  }

  private read(): void {
    // Until EAGAIN, but a bounded turn: the event loop comes back (level-triggered) for the rest.
    for (let i = 0; i < 64 && !this.closed; i++) {
      let n: number;
      try {
        n = readSync(this.fd, this.buffer, 0, READ_SIZE, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return;
        return this.finish(e as Error);
      }
      if (n === 0) return this.finish(new Error(`${this.description}: the device hung up`));
      const chunk = Buffer.from(this.buffer.subarray(0, n));
      for (const l of this.dataListeners) l(chunk);
    }
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0]!;
      let n: number;
      try {
        n = writeSync(this.fd, head);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return this.finish(e as Error);
        n = 0;
      }
      this.unsent -= n;
      if (n === head.length) this.queue.shift();
      else {
        this.queue[0] = head.subarray(n);
        return this.waitWritable(true);
      }
    }
    this.waitWritable(false);
  }

  private waitWritable(on: boolean): void {
    if (this.waitingWritable === on || this.watch === null) return;
    this.waitingWritable = on;
    native().watchWritable(this.watch, on);
  }

  private finish(error?: Error): void {
    if (this.watch === null) return;
    native().unwatch(this.watch);
    this.watch = null;
    this.queue.length = 0;
    this.unsent = 0;
    // close() on an unplugged cdc-wdm fails with ENODEV (its flush reports the gone device, or EIO
    // after a failed write), yet Linux has released the fd: nothing to retry, and a throw here (in
    // the poll callback) would end the process.
    try {
      closeSync(this.fd);
    } catch {
      /* released all the same */
    }
    for (const l of this.closeListeners.splice(0)) l(error);
  }
}
