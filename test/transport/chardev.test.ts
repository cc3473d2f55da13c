/**
 * The transport for a non-tty control device (cdc-wdm), driven here on pseudo-terminal slaves (also
 * character devices that block a reader until the peer writes). It used to read and write blocking on
 * libuv's four pool threads: every idle port held a thread, and a read still queued when its port
 * was closed later ran on whatever file took the freed fd number (with the old code the first test
 * fails on exactly that: a master fd closed behind the test's back, EBADF).
 */
import { closeSync, constants, openSync, readdirSync, writeSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { ReadStream } from 'node:tty';
import { expect, it } from 'vitest';
import { native } from '../../src/native/index.js';
import { FileDeviceTransport } from '../../src/transport/chardev.js';
import { TRANSPORT_MAX_QUEUED } from '../../src/transport/types.js';

/** A pty pair: the master (the "modem") and a transport on the slave opened as openCharDevice opens a device. */
function openPair(): { master: number; transport: FileDeviceTransport } {
  const pty = native().openPty();
  const fd = openSync(pty.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  closeSync(pty.slave);
  return { master: pty.master, transport: new FileDeviceTransport(fd, pty.path) };
}

/** Rejects with `what` if `p` is still pending after `ms` (a hang shows as a clear failure, not a test timeout). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms))).finally(() => clearTimeout(timer))]).finally(() => clearTimeout(timer));
}

it('sixteen idle devices open, and eight opened and closed with nothing read, leave fs calls unblocked', async () => {
  const fdsBefore = readdirSync('/proc/self/fd').length;
  const fsCalls = (): Promise<unknown> => within(Promise.all([readFile(import.meta.filename), stat('/'), readFile('/proc/self/status')]), 10_000, 'fs calls did not complete: the thread pool is starved');
  const pairs = Array.from({ length: 16 }, openPair);
  const closedOnes: ReturnType<typeof openPair>[] = [];
  try {
    // More waiting reads than libuv has pool threads (4): each would have parked one.
    await fsCalls();
    for (let i = 0; i < 8; i++) {
      closedOnes.push(openPair());
      await closedOnes[i]!.transport.close();
    }
    await fsCalls();
    // The devices still work: a message from each "modem" arrives on its own transport.
    const got = pairs.map((p) => new Promise<string>((r) => p.transport.onData((c) => r(Buffer.from(c).toString()))));
    pairs.forEach((p, i) => writeSync(p.master, `hello ${i}`));
    expect(await within(Promise.all(got), 10_000, 'a device did not deliver')).toEqual(pairs.map((_, i) => `hello ${i}`));
  } finally {
    for (const p of [...pairs, ...closedOnes]) {
      await p.transport.close();
      closeSync(p.master);
    }
  }
  expect(readdirSync('/proc/self/fd').length).toBe(fdsBefore);
});

it('writes the device refuses for now (EAGAIN) wait for writability and arrive whole and in order; past the bound they are dropped and counted', async () => {
  const { master, transport } = openPair();
  // The "modem" does not read yet: the pty's buffer fills, the rest waits in the transport.
  const modem = new ReadStream(master);
  modem.pause();
  try {
    const messages = Array.from({ length: 256 }, (_, i) => Buffer.alloc(1024, i & 0xff));
    for (const m of messages) transport.write(m);
    expect(transport.writeDrops).toBe(0);
    const chunks: Buffer[] = [];
    let received = 0;
    const all = new Promise<void>((resolve) =>
      modem.on('data', (c: Buffer) => {
        chunks.push(c);
        received += c.length;
        if (received >= 256 * 1024) resolve();
      }),
    );
    modem.resume();
    await within(all, 20_000, `only ${received} of ${256 * 1024} bytes arrived`);
    expect(Buffer.concat(chunks).equals(Buffer.concat(messages))).toBe(true);
    // A modem that never reads again: the queue stops at TRANSPORT_MAX_QUEUED, the rest is counted.
    modem.pause();
    const big = Buffer.alloc(64 * 1024);
    const offered = Math.ceil((TRANSPORT_MAX_QUEUED * 2) / big.length);
    for (let i = 0; i < offered; i++) transport.write(big);
    expect(transport.writeDrops).toBeGreaterThan(offered / 3);
    expect(transport.writeDrops).toBeLessThan(offered);
  } finally {
    await transport.close();
    modem.destroy();
  }
});

it('the modem going away ends the transport with an error; close() after it and twice is harmless', async () => {
  const { master, transport } = openPair();
  const ended = new Promise<Error | undefined>((r) => transport.onClose(r));
  closeSync(master); // the slave now hangs up (end of file), as cdc-wdm reads ENODEV on unplug
  const error = await within(ended, 10_000, 'the hang-up was not noticed');
  expect(error?.message).toMatch(/^\/dev\/pts\/\d+: (the device hung up|EIO)/);
  expect(transport.closed).toBe(true);
  expect(() => transport.write(new Uint8Array(1))).toThrow(/is closed/);
  await transport.close();
  await transport.close();
  let late = false;
  transport.onClose(() => (late = true));
  await Promise.resolve();
  expect(late).toBe(true);
});
