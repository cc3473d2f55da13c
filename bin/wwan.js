#!/usr/bin/env node
// The `wwan` command: the compiled CLI (npm ci builds dist/ through the prepare script).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('wwan: not built yet; run `npm ci` (or `npm run build`) in the checkout first\n');
    process.exit(70);
  }
  throw err;
});
