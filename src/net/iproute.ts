/**
 * iproute2's `ip`, run with argument arrays (never a shell), and the network-namespace verbs built
 * on it. Errors carry the command line and ip's own message.
 */
import { execFile } from 'node:child_process';

export class IpCommandError extends Error {
  override readonly name = 'IpCommandError';
}

/** Runs `ip ARGS…`, inside network namespace `netns` when given (`ip -n`); resolves with stdout. */
export function ip(args: readonly string[], netns?: string): Promise<string> {
  const argv = netns === undefined ? [...args] : ['-n', netns, ...args];
  return new Promise((resolve, reject) => {
    execFile('ip', argv, (error, stdout, stderr) => {
      if (error) reject(new IpCommandError(`ip ${argv.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** What `ip netns add` accepts as a file name under /run/netns, minus anything ip could read as an option. */
const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;

export function checkNetnsName(name: string): void {
  if (!NETNS_NAME.test(name)) throw new RangeError(`network namespace name ${JSON.stringify(name)} is not [A-Za-z0-9_][A-Za-z0-9_.-]{0,62}`);
}

export async function listNetns(): Promise<string[]> {
  // Lines read "NAME" or "NAME (id: N)".
  return (await ip(['netns', 'list'])).split('\n').map((line) => line.split(' ')[0]!).filter((name) => name !== '');
}

/** Creates namespace `name` unless it exists; true if this call created it. */
export async function ensureNetns(name: string): Promise<boolean> {
  checkNetnsName(name);
  if ((await listNetns()).includes(name)) return false;
  await ip(['netns', 'add', name]);
  return true;
}

export async function deleteNetns(name: string): Promise<void> {
  checkNetnsName(name);
  await ip(['netns', 'delete', name]);
}
