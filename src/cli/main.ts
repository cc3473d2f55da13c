/** `wwan`: the command line. The compatible CLIs take their arguments raw; the rest go through commander. */
import { Command } from 'commander';

const argv = process.argv.slice(2);

async function main(): Promise<number> {
  if (argv[0] === 'qmicli') return (await import('./qmicli/main.js')).run(argv.slice(1));
  const program = new Command('wwan').description('wwankit: one stack for cellular modems (QMI, MBIM, every data framing)');
  program.command('qmicli').description('qmicli-compatible QMI client (same flags and output)');
  await program.parseAsync(argv, { from: 'user' });
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`wwan: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
