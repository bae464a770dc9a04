// The package a dashboard imports (dist/package/, @flowyte/copilot): its manifest, its types
// (tsc on the TypeScript host), and two hosts mounting it in the browser: the plain HTML one
// (tests/e2e/host/: mount() in index.html, <flowyte-copilot> in element.html) and the
// TypeScript one (tests/e2e/ts-host/: both, compiled by tsc). A turn runs in each against the
// simulator; moving the element keeps its conversation; removing it unmounts it. No page
// error and no console error anywhere.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CopilotPanel, axeViolations, distDir, launchBrowser, root, startServers, watchErrors } from './support.mjs';

const pkgDir = path.join(distDir, 'package');
const tsHostDir = path.join(root, 'tests/e2e/ts-host');
const tsc = path.join(root, 'node_modules/.bin/tsc');

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/**
 * A directory where `@flowyte/copilot` resolves to dist/package/ the way npm installs it
 * (node_modules/@flowyte/copilot), with the TypeScript host's sources beside it.
 */
function tsProject(extraFiles = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-ts-'));
  cpSync(tsHostDir, dir, { recursive: true });
  mkdirSync(path.join(dir, 'node_modules/@flowyte'), { recursive: true });
  symlinkSync(pkgDir, path.join(dir, 'node_modules/@flowyte/copilot'), 'dir');
  for (const [name, text] of Object.entries(extraFiles)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function runTsc(dir, args) {
  return spawnSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json'), ...args], { cwd: dir, encoding: 'utf8' });
}

/** The built panel plus both hosts (the TypeScript one compiled), in a directory of its own. */
function site() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-site-'));
  cpSync(distDir, dir, { recursive: true });
  cpSync(path.join(root, 'tests/e2e/host'), path.join(dir, 'host'), { recursive: true });
  const project = tsProject();
  try {
    const out = path.join(dir, 'ts-host');
    const built = runTsc(project, ['--outDir', out]);
    assert.equal(built.status, 0, `tsc: ${built.stdout}${built.stderr}`);
    cpSync(path.join(tsHostDir, 'index.html'), path.join(out, 'index.html'));
    // What the dashboard's bundler does with the bare specifiers: point them at the package
    // the gateway serves.
    const js = path.join(out, 'host.js');
    writeFileSync(
      js,
      readFileSync(js, 'utf8')
        .replaceAll("'@flowyte/copilot/element'", "'/package/element.js'")
        .replaceAll("'@flowyte/copilot'", "'/package/index.js'"),
    );
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  return dir;
}

test('the package: manifest, files and version as the build promises', () => {
  const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const cargo = JSON.parse(execFileSync('cargo', ['metadata', '--no-deps', '--format-version', '1', '--offline'], { cwd: root, encoding: 'utf8' }));
  const crate = cargo.packages.find((p) => p.name === 'flowyte-copilot');
  assert.equal(manifest.name, '@flowyte/copilot');
  assert.equal(manifest.version, crate.version, 'the version is the crate’s');
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.types, './index.d.ts');
  for (const file of manifest.files) assert.ok(existsSync(path.join(pkgDir, file)), `files lists ${file}, which is there`);
  const targets = Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
  for (const target of targets) assert.ok(existsSync(path.join(pkgDir, target)), `exports points at ${target}, which is there`);
  // What npm would pack: the listed files, no precompressed twins.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkgDir, encoding: 'utf8' }))[0];
  const names = packed.files.map((f) => f.path).sort();
  assert.deepEqual(names, [...manifest.files, 'package.json'].sort());
  // The module and the wasm are the page's own build, byte for byte.
  const hashed = readdirSync(distDir).find((n) => /^flowyte-copilot-[0-9a-f]+_bg\.wasm$/.test(n));
  assert.ok(readFileSync(path.join(distDir, hashed)).equals(readFileSync(path.join(pkgDir, 'flowyte-copilot_bg.wasm'))));
});

test('tsc --noEmit type-checks the TypeScript host against the package, and its types bite', () => {
  const project = tsProject({
    'wrong.ts': [
      "import { mount } from '@flowyte/copilot';",
      "mount(document.body, { theme: 'blue' });",
      "mount(document.body, { agentID: 'agt_0001' });",
      "document.body.addEventListener('flowyte-copilot:thread-changed', (e) => { const n: number = e.detail.threadId; });",
      "document.createElement('flowyte-copilot').context = 'agents';",
      '',
    ].join('\n'),
  });
  try {
    const ok = runTsc(project, ['--noEmit']);
    assert.equal(ok.status, 0, `tsc --noEmit: ${ok.stdout}${ok.stderr}`);
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      readFileSync(path.join(project, 'tsconfig.json'), 'utf8').replace('"files": ["host.ts"]', '"files": ["wrong.ts"]'),
    );
    const wrong = runTsc(project, ['--noEmit']);
    assert.notEqual(wrong.status, 0);
    const lines = wrong.stdout.split('\n').filter((l) => l.startsWith('wrong.ts('));
    assert.deepEqual(
      lines.map((l) => l.match(/^wrong\.ts\((\d+),/)[1]),
      ['2', '3', '4', '5'],
      `each wrong line is an error:\n${wrong.stdout}`,
    );
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test('plain HTML: the element mounts, a turn runs, a move keeps the conversation, removal unmounts', async () => {
  const dir = site();
  const servers = await startServers({ paceMs: 40, dist: dir });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const watch = watchErrors(page);
  try {
    await page.goto(`${servers.url}/host/element.html`);
    const copilot = new CopilotPanel(page, page.locator('flowyte-copilot'));
    await copilot.message.waitFor();
    assert.equal(await page.evaluate(() => document.querySelector('flowyte-copilot').mounted), true);
    assert.equal(await copilot.scope.locator('section.copilot').getAttribute('data-theme'), 'light');
    assert.equal(await copilot.scope.getByRole('heading', { name: 'Element copilot' }).count(), 1);
    const events = await page.evaluateHandle(() => {
      const heard = [];
      document.querySelector('flowyte-copilot').addEventListener('flowyte-copilot:thread-changed', (e) => heard.push(e.detail));
      return heard;
    });

    await copilot.ask('Add an order-lookup skill');
    await copilot.changesToggle.getByText('1 change applied').waitFor();
    const thread = (await events.evaluate((h) => h.at(-1))).threadId;
    assert.match(thread, /^thr_/);

    // Moved while a reply streams: the same panel, its turns and the stream go along.
    await copilot.message.fill('List my agents');
    await copilot.message.press('Enter');
    await copilot.waitForPhase('streaming');
    const before = await page.evaluate(() => {
      const element = document.querySelector('flowyte-copilot');
      const section = element.querySelector('section.copilot');
      document.getElementById('right').append(element);
      return { same: element.querySelector('section.copilot') === section };
    });
    assert.equal(before.same, true, 'the panel moved with the element, not mounted again');
    await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
    assert.equal(await page.locator('#right flowyte-copilot section.copilot').count(), 1);
    await copilot.waitForTurns();
    assert.equal(await copilot.turns.count(), 2);
    assert.match(await copilot.lastReply.textContent(), /4 agents/, 'the reply streaming during the move finished');
    assert.equal(await page.locator('.turn[data-phase=failed], .turn[data-phase=interrupted]').count(), 0);

    // Taken out: the panel unmounts, its element is empty.
    await page.evaluate(() => {
      window.removed = document.querySelector('flowyte-copilot');
      window.removed.remove();
    });
    await page.waitForFunction(() => window.removed.mounted === false && window.removed.childElementCount === 0);
    // Put back later: a new panel resumes the conversation from the gateway.
    await page.evaluate(() => document.getElementById('left').append(window.removed));
    await copilot.lastReply.getByText('4 agents').waitFor();
    assert.equal(await copilot.turns.count(), 2);
    assert.equal((await events.evaluate((h) => h.at(-1))).threadId, thread);

    // An attribute changed while mounted takes effect (mounted again, same conversation).
    await page.evaluate(() => document.querySelector('flowyte-copilot').setAttribute('theme', 'dark'));
    await page.locator('flowyte-copilot section.copilot[data-theme=dark]').waitFor();
    await copilot.lastReply.getByText('4 agents').waitFor();

    assert.deepEqual(await axeViolations(page), [], 'axe-core on the element host');
    await page.evaluate(() => document.querySelector('flowyte-copilot').remove());
    await page.waitForFunction(() => document.querySelectorAll('section.copilot').length === 0);
    watch.check();
  } finally {
    await page.close();
    servers.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('plain HTML: a bad attribute is reported once and mounts nothing', async () => {
  const dir = site();
  const servers = await startServers({ paceMs: 0, dist: dir });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(`${servers.url}/host/element.html`);
    await new CopilotPanel(page, page.locator('flowyte-copilot')).message.waitFor();
    await page.evaluate(() => document.querySelector('flowyte-copilot').setAttribute('theme', 'blue'));
    await page.waitForFunction(() => document.querySelector('flowyte-copilot').error !== null);
    assert.equal(await page.locator('section.copilot').count(), 0);
    assert.equal(errors.length, 1, `${errors}`);
    assert.match(errors[0], /theme must be/);
    // Fixed: it mounts again.
    await page.evaluate(() => document.querySelector('flowyte-copilot').setAttribute('theme', 'auto'));
    await page.locator('section.copilot').waitFor();
  } finally {
    await page.close();
    servers.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TypeScript host: mount() and the element, a turn in each, typed events heard', async () => {
  const dir = site();
  const servers = await startServers({ paceMs: 0, dist: dir });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const watch = watchErrors(page);
  try {
    await page.goto(`${servers.url}/ts-host/`);
    await page.locator('body[data-ready=true]').waitFor();
    const mounted = new CopilotPanel(page, page.locator('#mounted'));
    const element = new CopilotPanel(page, page.locator('flowyte-copilot'));
    await mounted.message.waitFor();
    await element.message.waitFor();
    assert.equal(await mounted.scope.locator('section.copilot').getAttribute('data-theme'), 'dark');

    await mounted.ask('List my agents');
    assert.match(await mounted.lastReply.textContent(), /4 agents/);
    await element.ask('Add an order-lookup skill');
    await element.changesToggle.getByText('1 change applied').waitFor();
    assert.equal(await mounted.scope.locator('.plan-row').count(), 0);

    const heard = await page.evaluate(() => window.heard);
    assert.deepEqual(heard.filter((h) => h.panel === 'mounted').map((h) => h.type), ['thread-changed']);
    assert.deepEqual(heard.filter((h) => h.panel === 'element').map((h) => h.type).sort(), ['changes-applied', 'thread-changed']);
    assert.deepEqual(await page.evaluate(() => window.refreshedAgents), ['POST /agents/agt_0002/skills']);
    assert.equal(await page.evaluate(() => localStorage.getItem('ts-element') !== null && localStorage.getItem('ts-mounted') !== null), true);

    await page.evaluate(() => window.panel.unmount());
    assert.equal(await page.locator('#mounted > *').count(), 0);
    await page.evaluate(() => document.querySelector('flowyte-copilot').remove());
    await page.waitForFunction(() => document.querySelectorAll('section.copilot').length === 0);
    watch.check();
  } finally {
    await page.close();
    servers.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
