import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Bundles web/ as `npm run build` does, into a folder of this test's own: the page as it is in the checkout. */
export async function buildDashboard(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'wwan-web-static-'));
  await promisify(execFile)(process.execPath, [fileURLToPath(new URL('../../scripts/build-web.mjs', import.meta.url)), out]);
  return out;
}
