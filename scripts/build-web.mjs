// Bundles the dashboard (web/) into dist/web/static/: app.js, app.css, index.html. Run by `npm run build` and `prepare`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/web/static`;
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
