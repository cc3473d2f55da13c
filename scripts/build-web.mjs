// Bundles the dashboard (web/) into dist/web/static/ (or the folder given): app.js, app.css, index.html.
// Run by `npm run build` and `prepare`; tests bundle into folders of their own.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = process.argv[2] ?? `${root}dist/web/static`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: `${root}web/app.ts` },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync(`${root}web/index.html`, `${out}/index.html`);
const sizes = ['app.js', 'app.css', 'index.html'].map((f) => `${f} ${(statSync(`${out}/${f}`).size / 1024).toFixed(1)} KiB`);
console.log(`dashboard: ${sizes.join(', ')}`);
