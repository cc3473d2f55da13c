/**
 * An unplugged cdc-wdm port: its reads fail with ENODEV and so does close() (cdc-wdm's flush reports
 * the device gone), though Linux releases the fd all the same. That close error, thrown from the poll
 * callback, used to end the whole daemon (seen in the VM's qmi-usb unplug). No host device fails
 * close(), so here the real close runs on a pty slave and then reports ENODEV, as cdc-wdm's does.
 */
import * as fs from 'node:fs';
import { expect, it, vi } from 'vitest';
import { native } from '../../src/native/index.js';

const failingClose = new Set<number>();
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    closeSync: (fd: number): void => {
      real.closeSync(fd);
      if (failingClose.delete(fd)) throw Object.assign(new Error('ENODEV: no such device, close'), { code: 'ENODEV', errno: -19, syscall: 'close' });
    },
  };
});
const { FileDeviceTransport } = await import('../../src/transport/chardev.js');

it('a port whose close() fails (ENODEV) after the modem went away ends the transport with the hang-up, nothing thrown, the fd released', async () => {
  const fdsBefore = fs.readdirSync('/proc/self/fd').length;
  const pty = native().openPty();
  const fd = fs.openSync(pty.path, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
  fs.closeSync(pty.slave);
  const transport = new FileDeviceTransport(fd, pty.path);
  const ended = new Promise<Error | undefined>((r) => transport.onClose(r));
  failingClose.add(fd);
  fs.closeSync(pty.master); // the slave hangs up, as cdc-wdm's reads fail on unplug
  const error = await Promise.race([ended, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the transport never ended: the close error escaped')), 10_000).unref())]);
  expect(error?.message).toMatch(/^\/dev\/pts\/\d+: (the device hung up|EIO)/);
  // The failing close did run (and was the one that threw): the fd is gone.
  expect(failingClose.has(fd)).toBe(false);
  expect(transport.closed).toBe(true);
  await transport.close();
  expect(fs.readdirSync('/proc/self/fd').length).toBe(fdsBefore);
});
