import { closeSync, constants, createReadStream, openSync, statSync, write, type Stats } from 'node:fs';
import net from 'node:net';
import { isatty, ReadStream } from 'node:tty';
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
  closeSync(fd);
  return new FileDeviceTransport(path);
}

/**
 * A non-tty character device (cdc-wdm): libuv treats it as a file, so reads go through the thread pool.
 * It is opened blocking so those reads wait for data instead of spinning on EAGAIN.
 */
class FileDeviceTransport implements Transport {
  private readonly stream: ReturnType<typeof createReadStream>;
  private readonly fd: number;
  private closeListeners: ((error?: Error) => void)[] = [];
  closed = false;
  writeDrops = 0;
  /** Bytes handed to the thread pool and not yet written (the device blocks while the modem does not read). */
  private unsent = 0;

  constructor(readonly description: string) {
    this.fd = openSync(description, constants.O_RDWR | constants.O_NOCTTY);
    this.stream = createReadStream('', { fd: this.fd, autoClose: false, highWaterMark: 4096 });
    this.stream.on('error', (e) => this.finish(e));
    this.stream.on('end', () => this.finish());
  }

  write(bytes: Uint8Array): void {
    if (this.closed) throw new TransportClosedError(this.description);
    if (this.unsent > TRANSPORT_MAX_QUEUED) {
      this.writeDrops++;
      return;
    }
    this.unsent += bytes.length;
    write(this.fd, bytes, (err) => {
      this.unsent -= bytes.length;
      if (err) this.finish(err);
    });
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.stream.on('data', (c) => listener(c as Buffer));
  }

  onClose(listener: (error?: Error) => void): void {
    if (this.closed) queueMicrotask(() => listener());
    else this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    this.finish();
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.destroy();
    try {
      closeSync(this.fd);
    } catch {
      // already closed by the stream
    }
    for (const l of this.closeListeners.splice(0)) l(error);
  }
}
