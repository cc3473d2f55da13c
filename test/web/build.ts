import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Bundles web/ as `npm run build` does, so the tests see the page as it is in the checkout. */
export async function buildDashboard(): Promise<void> {
  await promisify(execFile)(process.execPath, [fileURLToPath(new URL('../../scripts/build-web.mjs', import.meta.url))]);
}
