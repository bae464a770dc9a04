// Trunk's post_build hook (Trunk.toml), release builds only. In the staging directory that
// becomes dist/:
//
// 1. package/: the npm package a dashboard imports (@flowyte/copilot): the wasm module, its JS
//    loader and the stylesheet under stable names, package/*.js and *.d.ts from the repository,
//    and a package.json whose version is the panel crate's (cargo metadata).
// 2. Beside every file, its brotli (quality 11) and gzip (-9) twins, which the gateway
//    serves to browsers that accept them (crates/gateway/src/panel_files.rs). A twin that
//    would not be smaller than its file is not written.
//
// `node scripts/lib/package.mjs DIR` does the same to DIR (a dist/ built before).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const staging = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('package.mjs: no directory (TRUNK_STAGING_DIR or an argument)');
if (!process.argv[2] && process.env.TRUNK_PROFILE !== 'release') process.exit(0);

/** The one file in `dir` whose name matches `pattern` (Trunk adds a content hash). */
function builtFile(pattern) {
  const found = readdirSync(staging).filter((name) => pattern.test(name));
  if (found.length !== 1) throw new Error(`package.mjs: expected one file like ${pattern} in ${staging}, found ${found}`);
  return path.join(staging, found[0]);
}

function version() {
  const metadata = JSON.parse(
    execFileSync('cargo', ['metadata', '--no-deps', '--format-version', '1', '--offline'], { cwd: root, encoding: 'utf8' }),
  );
  const crate = metadata.packages.find((p) => p.name === 'flowyte-copilot');
  return { version: crate.version, description: crate.description };
}

const pkg = path.join(staging, 'package');
mkdirSync(pkg, { recursive: true });
copyFileSync(builtFile(/^flowyte-copilot(-[0-9a-f]+)?\.js$/), path.join(pkg, 'flowyte-copilot.js'));
copyFileSync(builtFile(/^flowyte-copilot(-[0-9a-f]+)?_bg\.wasm$/), path.join(pkg, 'flowyte-copilot_bg.wasm'));
copyFileSync(builtFile(/^panel(-[0-9a-f]+)?\.css$/), path.join(pkg, 'panel.css'));
const sources = ['index.js', 'index.d.ts', 'element.js', 'element.d.ts', 'README.md'];
for (const name of sources) copyFileSync(path.join(root, 'package', name), path.join(pkg, name));

const { version: v, description } = version();
const manifest = {
  name: '@flowyte/copilot',
  version: v,
  description,
  license: 'UNLICENSED',
  type: 'module',
  main: './index.js',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    './element': { types: './element.d.ts', default: './element.js' },
    './panel.css': './panel.css',
    './flowyte-copilot_bg.wasm': './flowyte-copilot_bg.wasm',
    './package.json': './package.json',
  },
  files: [...sources, 'flowyte-copilot.js', 'flowyte-copilot_bg.wasm', 'panel.css'],
  sideEffects: ['./element.js', '*.css'],
};
writeFileSync(path.join(pkg, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

/** Every file under `dir`, but the twins themselves. */
function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    // npm packs every README*, twins too: the package's README goes without.
    else if (!/\.(br|gz)$/.test(entry.name) && !/^README/.test(entry.name)) yield full;
  }
}

/** GNU gzip -9 where there is one (about 1.6 % smaller than zlib's level 9 on the wasm). */
function gzip(file, bytes) {
  try {
    return execFileSync('gzip', ['-9', '-n', '-c', file], { maxBuffer: 64 << 20 });
  } catch {
    return zlib.gzipSync(bytes, { level: 9 });
  }
}

for (const file of files(staging)) {
  const bytes = readFileSync(file);
  const text = !file.endsWith('.wasm');
  const br = zlib.brotliCompressSync(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_MODE]: text ? zlib.constants.BROTLI_MODE_TEXT : zlib.constants.BROTLI_MODE_GENERIC,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: statSync(file).size,
    },
  });
  const gz = gzip(file, bytes);
  if (br.length < bytes.length) writeFileSync(`${file}.br`, br);
  if (gz.length < bytes.length) writeFileSync(`${file}.gz`, gz);
}
