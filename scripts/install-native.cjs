'use strict';
// npm's `install` step for wwankit's addon (native/wwan_native.c). An installed package uses the binary
// prebuilt for its platform (prebuilds/, made at pack time); otherwise it is built from source with npm's own
// node-gyp, never one that another package hoisted into node_modules/.bin. Without either, wwankit still works
// except what needs a pseudo-terminal or a TUN device, which then says why (src/native/index.ts).
const { existsSync } = require('node:fs');
const path = require('node:path');
const { nodeGyp } = require('./node-gyp.cjs');

const root = path.join(__dirname, '..');
const checkout = existsSync(path.join(root, '.git'));

function prebuilt() {
  process.env.PREBUILDS_ONLY = '1';
  try {
    require(require('node-gyp-build').path(root));
    return true;
  } catch {
    return false;
  }
}

if (!checkout && prebuilt()) process.exit(0);

const why = process.env.npm_config_node_gyp
  ? nodeGyp(['rebuild'], { cwd: root, stdio: 'inherit' })
  : 'npm did not say where its node-gyp is (npm_config_node_gyp)';
if (why === undefined) process.exit(0);
if (checkout) {
  process.stderr.write(`wwankit: building the native addon: ${why}\n`);
  process.exit(1);
}
process.stderr.write(
  `wwankit: no prebuilt addon for ${process.platform}-${process.arch} and ${why}; ` +
    'everything works except pseudo-terminals and TUN devices (install a C compiler and run `npm rebuild wwankit`)\n',
);
