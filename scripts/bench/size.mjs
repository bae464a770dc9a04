// scripts/bench/size's measuring half: see that script.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// DIST_DIR measures another build (one without its twins shows what an uncompressed serve costs).
const dist = process.env.DIST_DIR ?? path.join(root, 'dist');
const GOAL_TRANSFERRED = 180_000;
const GOAL_GZIP = 250_000;

// The page's own files, by the names index.html gives them (content-hashed).
const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
const named = (pattern) => {
  const match = index.match(pattern);
  if (!match) throw new Error(`index.html names no ${pattern}`);
  return match[1];
};
const files = [
  { kind: 'wasm', name: named(/module_or_path: '\/([^']+_bg\.wasm)'/) },
  { kind: 'js', name: named(/from '\/(flowyte-copilot[^']*\.js)'/) },
  { kind: 'css', name: named(/href="?\/(panel-[0-9a-f]+\.css)/) },
];
const size = (file) => {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
};
for (const f of files) {
  const file = path.join(dist, f.name);
  f.raw = size(file);
  // The twins the gateway serves; computed here if the build did not write them.
  f.gz = size(`${file}.gz`) ?? zlib.gzipSync(readFileSync(file), { level: 9 }).length;
  f.br =
    size(`${file}.br`) ??
    zlib.brotliCompressSync(readFileSync(file), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}

// The gateway serving dist/ (development sign-in; the upstream is never called here).
const gateway = spawn(path.join(root, 'target/debug/flowyte-gateway'), ['--addr', '127.0.0.1:0', '--dev-http', '--dev-sign-in', '--dist', dist], {
  env: { ...process.env, RUST_LOG: 'error', FLOWYTE_API_BASE: 'http://127.0.0.1:9', FLOWYTE_API_KEY: 'flowyte_sk_test_size_bench' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('the gateway did not start within 20 s')), 20_000);
  gateway.once('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
  gateway.stdout.on('data', (data) => {
    out += data;
    const match = out.match(/listening on (http:\/\/\S+)/);
    if (match) {
      clearTimeout(timer);
      resolve(match[1]);
    }
  });
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
let acceptEncoding = '?';
try {
  // A fresh context: an empty cache, so every byte travels.
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('request', async (request) => {
    if (request.url().endsWith('.wasm')) acceptEncoding = (await request.allHeaders())['accept-encoding'] ?? 'none';
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('section.copilot').waitFor();
  const entries = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => ({
      name: new URL(e.name).pathname.slice(1),
      transfer: e.transferSize,
      encoded: e.encodedBodySize,
      decoded: e.decodedBodySize,
    })),
  );
  for (const f of files) {
    const entry = entries.find((e) => e.name === f.name);
    if (!entry) throw new Error(`Chromium loaded no ${f.name}: ${entries.map((e) => e.name)}`);
    Object.assign(f, entry);
  }
  await context.close();
} finally {
  await browser.close();
  gateway.kill('SIGTERM');
  await new Promise((done) => gateway.once('exit', done));
}

const total = files.reduce(
  (t, f) => ({ kind: 'total', name: '', raw: t.raw + f.raw, gz: t.gz + f.gz, br: t.br + f.br, encoded: t.encoded + f.encoded, transfer: t.transfer + f.transfer }),
  { raw: 0, gz: 0, br: 0, encoded: 0, transfer: 0 },
);
const columns = ['bytes', 'gzip -9', 'brotli 11', 'encoded body', 'transferred'];
const line = (label, r) =>
  console.log(label.padEnd(48) + [r.raw, r.gz, r.br, r.encoded, r.transfer].map((n) => String(n).padStart(13)).join(''));
console.log('file'.padEnd(48) + columns.map((h) => h.padStart(13)).join(''));
for (const f of files) line(`${f.kind} ${f.name}`, f);
line('total (wasm + js + css)', total);
console.log(`Chromium's Accept-Encoding: ${acceptEncoding}; transferred includes the response headers`);
const verdict = (value, goal) => (value <= goal ? `met (${goal - value} under)` : `missed by ${value - goal}`);
console.log(`goal: transferred <= ${GOAL_TRANSFERRED}: ${total.transfer} — ${verdict(total.transfer, GOAL_TRANSFERRED)}`);
console.log(`at worst: gzip <= ${GOAL_GZIP}: ${total.gz} — ${verdict(total.gz, GOAL_GZIP)}`);
