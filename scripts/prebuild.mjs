// Builds the addon for every platform the package ships a binary for (npm's `prepack`): linux-x64 and
// linux-arm64, the one that is not the host's cross-compiled with Debian's gcc-<triplet> packages. Each build
// runs in a temporary copy so build/Release (the checkout's own addon, maybe in use) is never touched; each
// binary's ELF machine is checked before it lands in prebuilds/<platform>-<arch>/ under node-gyp-build's name.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const targets = [
  { arch: 'x64', triplet: 'x86_64-linux-gnu', elfMachine: 62 },
  { arch: 'arm64', triplet: 'aarch64-linux-gnu', elfMachine: 183 },
];
const { nodeGyp } = createRequire(import.meta.url)('./node-gyp.cjs');

for (const { arch, triplet, elfMachine } of targets) {
  const work = mkdtempSync(join(tmpdir(), `wwankit-prebuild-${arch}-`));
  try {
    copyFileSync(join(root, 'binding.gyp'), join(work, 'binding.gyp'));
    cpSync(join(root, 'native'), join(work, 'native'), { recursive: true });
    const cross = arch !== process.arch;
    const env = { ...process.env, ...(cross ? { CC: `${triplet}-gcc`, CXX: `${triplet}-g++`, LINK: `${triplet}-g++`, AR: `${triplet}-ar` } : {}) };
    const failed = nodeGyp(['rebuild', `--arch=${arch}`, '--loglevel=warn'], { cwd: work, env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (failed) throw new Error(`linux-${arch}: ${failed}`);
    const built = join(work, 'build', 'Release', 'wwan_native.node');
    execFileSync(cross ? `${triplet}-strip` : 'strip', ['--strip-unneeded', built]);
    const machine = readFileSync(built).readUInt16LE(18);
    if (machine !== elfMachine) throw new Error(`${arch} build has ELF machine ${machine}, not ${elfMachine}`);
    const out = join(root, 'prebuilds', `linux-${arch}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    copyFileSync(built, join(out, 'wwankit.napi.glibc.node'));
    process.stdout.write(`prebuilds/linux-${arch}/wwankit.napi.glibc.node\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
