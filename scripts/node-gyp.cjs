'use strict';
// Runs npm's own node-gyp (never one hoisted into node_modules/.bin by another package), against this Node's
// installed headers when it has them, so nothing is downloaded.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

function nodeGyp(args, options) {
  const gyp = process.env.npm_config_node_gyp ?? require.resolve('node-gyp/bin/node-gyp.js');
  const prefix = path.join(path.dirname(process.execPath), '..');
  const nodedir = process.env.npm_config_nodedir ?? (existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
  const r = spawnSync(process.execPath, [gyp, ...args, ...(nodedir ? [`--nodedir=${nodedir}`] : [])], options);
  return r.status === 0 ? undefined : `node-gyp ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`;
}

module.exports = { nodeGyp };
