/**
 * `wwan` as a service: the daemon's service options (configuration, log level, socket group), `wwan
 * unlock`, `wwan reload`, `wwan completion bash` and the version.
 */
import { chmodSync, chownSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { LogLevel } from '../daemon/log.js';
import { readPasswordFile, stdOutput, withDaemon } from './manage.js';

export interface ServiceOptions {
  config?: string;
  logLevel?: LogLevel;
  socketGroup?: string;
}

/** This package's version. */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** A group's id from its name or number (/etc/group). */
export function groupId(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === group);
  if (!line) throw new Error(`no group named ${JSON.stringify(group.slice(0, 64))} in /etc/group`);
  return Number(line.split(':')[2]);
}

/**
 * Gives the socket to a group (mode 0660 stays), and its folder too when only its owner may enter it,
 * so the group's members reach the socket.
 */
export async function shareSocket(socket: string, group: string): Promise<void> {
  const gid = groupId(group);
  chownSync(socket, -1, gid);
  const dir = dirname(socket);
  const st = statSync(dir);
  if ((st.mode & 0o001) === 0 && st.uid === process.getuid?.()) {
    chownSync(dir, -1, gid);
    chmodSync(dir, (st.mode & 0o7777) | 0o010);
  }
}

/**
 * `wwan unlock MODEM --pin-file F` (or `--puk-file F --pin-file NEW`): the codes go to the daemon from
 * files; the answer shows retries, never a code.
 */
export async function runUnlock(modem: string, opts: { socket?: string; json?: boolean; pinFile: string; pukFile?: string }): Promise<number> {
  const o = stdOutput(!!opts.json);
  const read = (file: string, what: string): string | undefined => {
    try {
      return readPasswordFile(file);
    } catch (e) {
      o.err(`wwan: cannot read the ${what} file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})\n`);
      return undefined;
    }
  };
  const pin = read(opts.pinFile, 'PIN');
  const puk = opts.pukFile === undefined ? undefined : read(opts.pukFile, 'PUK');
  if (pin === undefined || (opts.pukFile !== undefined && puk === undefined)) return 2;
  const kind = puk === undefined ? 'PIN' : 'PUK';
  let refused = false;
  const code = await withDaemon(
    opts.socket,
    o,
    (c) => c.call('unlock', { modem, pin, ...(puk !== undefined ? { puk } : {}) }),
    (r: { unlocked: boolean; retries?: number; sim: string }) => {
      refused = !r.unlocked;
      const retries = r.retries !== undefined ? `; ${r.retries} ${kind} retries left` : '';
      if (!r.unlocked) return `${modem}: the ${kind} was refused (SIM ${r.sim})${retries}\n`;
      return `${modem}: SIM ${puk === undefined ? 'unlocked' : 'unblocked, new PIN set'} (now ${r.sim})${retries}\n`;
    },
  );
  return code === 0 && refused ? 1 : code;
}

/**
 * `wwan sim-pin MODEM`: the SIM's lock state and retries; with `--pin-file` (and `--puk-file`) it is
 * `wwan unlock`, so the PIN commands are one family.
 */
export async function runSimPin(modem: string, opts: { socket?: string; json?: boolean; pinFile?: string; pukFile?: string }): Promise<number> {
  if (opts.pinFile !== undefined) return runUnlock(modem, { ...opts, pinFile: opts.pinFile });
  if (opts.pukFile !== undefined) {
    process.stderr.write('wwan sim-pin: --puk-file needs --pin-file with the new PIN\n');
    return 2;
  }
  return withDaemon(
    opts.socket,
    stdOutput(!!opts.json),
    async (c) => ({ modem, sim: (await c.call('info', { modem })).sim ?? null }),
    ({ sim }) => {
      if (!sim) return `${modem}: SIM state not known yet\n`;
      const retries = [sim.pinRetries !== undefined ? `${sim.pinRetries} PIN` : '', sim.pukRetries !== undefined ? `${sim.pukRetries} PUK` : ''].filter(Boolean).join(', ');
      const ask = sim.status === 'pin-required' ? `; enter it with \`wwan sim-pin ${modem} --pin-file FILE\`` : sim.status === 'puk-required' ? `; unblock it with \`wwan sim-pin ${modem} --puk-file FILE --pin-file NEW\`` : '';
      return `${modem}: SIM ${sim.status}${retries ? ` (${retries} retries left)` : ''}${ask}\n`;
    },
  );
}

/** `wwan reload`: the daemon reads its configuration file again. */
export const runReload = (opts: { socket?: string; json?: boolean }): Promise<number> =>
  withDaemon(opts.socket, stdOutput(!!opts.json), (c) => c.call('reload'), (r: { config: string; kept: number; replaced: number }) => `${r.config} reloaded: ${r.kept} bearer(s) kept, ${r.replaced} replaced\n`);

/**
 * A bash completion script for `program`, from its commands and options as declared (so it never goes
 * stale): `source <(wwan completion bash)`, or install it as /usr/share/bash-completion/completions/wwan.
 */
export function bashCompletion(program: Command): string {
  const words = (c: Command): string => c.options.flatMap((o) => [o.long, o.short].filter(Boolean)).join(' ');
  const cases = program.commands
    .map((c) => `    ${c.name()}) opts="${[words(c), ...c.commands.map((s) => s.name())].join(' ').trim()} --help" ;;`)
    .join('\n');
  return `# bash completion for wwan (wwankit ${version()})
_wwan() {
  local cur=\${COMP_WORDS[COMP_CWORD]} opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${program.commands.map((c) => c.name()).join(' ')} --help --version" -- "$cur"))
    return
  fi
  case \${COMP_WORDS[1]} in
${cases}
    *) opts="--help" ;;
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -F _wwan wwan
`;
}
