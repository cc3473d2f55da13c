/** `npm run bench`: runs every bench/*.bench.ts in turn (or those named on the command line; some only when named). */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { run?: () => Promise<void> | void; onlyWhenNamed?: boolean };
  if (typeof mod.run !== 'function') throw new Error(`${f} exports no run()`);
  // Minutes-long entries (a VM) run only when asked for by name.
  if (mod.onlyWhenNamed && only.length === 0) continue;
  await mod.run();
}
