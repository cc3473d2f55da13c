/**
 * SIM codes for the CLI (PIN, PUK, service code): from a file, else a prompt that does not echo when
 * stdin is a terminal, else one line each from stdin — never required on the command line, where `ps`
 * shows them to every user.
 */
import { readPasswordFile } from './manage.js';

/** Where a code may come from: its file option, or a value given on the command line anyway. */
export interface CodeSource {
  what: string;
  file?: string;
  value?: string;
}

/** Reads each code in order (files first, then stdin lines or prompts); a missing one is an Error naming it. */
export async function readCodes(sources: CodeSource[]): Promise<string[]> {
  const out: string[] = [];
  let lines: string[] | undefined;
  for (const s of sources) {
    if (s.value !== undefined) out.push(s.value);
    else if (s.file !== undefined) {
      try {
        out.push(readPasswordFile(s.file)!);
      } catch (e) {
        throw new Error(`cannot read the ${s.what} file ${s.file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    } else if (process.stdin.isTTY) out.push(await prompt(`${s.what}: `));
    else {
      lines ??= (await readStdin()).split(/\r?\n/);
      const line = lines.shift();
      if (line === undefined || line === '') throw new Error(`no ${s.what} on stdin (one code per line; or give its file)`);
      out.push(line);
    }
  }
  return out;
}

/** At most this much of stdin is read: a few codes, not a stream. */
const MAX_STDIN = 4096;

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > MAX_STDIN) throw new Error(`stdin holds more than ${MAX_STDIN} bytes; give one code per line`);
  }
  return text;
}

/** A line typed at the terminal without echo (Enter ends it, Backspace edits, Ctrl-C or Ctrl-D gives up). */
function prompt(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (err?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
