/**
 * The daemon's note of the kernel links it made. It may sit in a shared folder (/tmp beside a user's
 * socket), so it is read only when it is a regular file of ours, and written through a fresh file
 * renamed into place: a symlink planted at the path is replaced, never followed.
 */
import { closeSync, constants, lstatSync, openSync, readFileSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const mine = (st: Stats): boolean => st.isFile() && st.uid === (process.getuid?.() ?? st.uid);

/** The file's text; undefined when absent. Throws when something else is there (a symlink, another user's file). */
export function readStateFile(path: string): string | undefined {
  const st = lstatOrUndefined(path);
  if (!st) return undefined;
  if (!mine(st)) throw new Error(`${path} is not a regular file owned by this user; ignoring it`);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export function writeStateFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  // O_EXCL: fails on anything already there, a symlink included.
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Removes the file if it is ours; anything else at the path stays. */
export function removeStateFile(path: string): void {
  const st = lstatOrUndefined(path);
  if (st && mine(st)) rmSync(path, { force: true });
}
