/** `wwan`: the command line. The compatible CLIs take their arguments raw; the rest go through commander. */
import { Command, Option } from 'commander';
import { decoders, readInput, type DecodeFormat } from './decode.js';

const argv = process.argv.slice(2);

async function main(): Promise<number> {
  if (argv[0] === 'qmicli') return (await import('./qmicli/main.js')).run(argv.slice(1));
  let code = 0;
  const program = new Command('wwan')
    .description('wwankit: one stack for cellular modems (QMI, MBIM, every data framing)')
    .showHelpAfterError()
    .exitOverride();
  program.command('qmicli').description('qmicli-compatible QMI client: same flags, requests and output (see `wwan qmicli --help`)');
  program
    .command('decode')
    .description('decode protocol bytes to JSON')
    .addOption(new Option('--as <format>', 'what the bytes are').choices(Object.keys(decoders)).makeOptionMandatory())
    .option('--hex <hex>', 'the bytes as hex')
    .argument('[file]', 'a file with the bytes (raw, or hex text)')
    .action((file: string | undefined, opts: { as: DecodeFormat; hex?: string }) => {
      const bytes = readInput({ hex: opts.hex, file });
      const result = decoders[opts.as](bytes) as { errors?: unknown[] };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      code = result.errors && result.errors.length > 0 ? 2 : 0;
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const err = e as { exitCode?: number; code?: string };
    if (typeof err.exitCode === 'number') return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : err.exitCode;
    throw e;
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`wwan: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
