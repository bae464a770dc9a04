// Shared pieces of the end-to-end tests: the servers (simulator + gateway serving the release
// dist/, one origin, no trunk), headless Debian Chromium, and a page object for the panel.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const outputDir = path.join(here, 'output');
mkdirSync(outputDir, { recursive: true });

const bin = (name) => process.env[`${name.toUpperCase()}_BIN`] ?? path.join(root, 'target/debug', `flowyte-${name}`);
export const DEV_KEY = 'flowyte_sk_test_local_development_key';

/** Starts one of our binaries and resolves with its base URL once it prints "listening on". */
function startBinary(name, args, env = {}) {
  const child = spawn(bin(name), args, {
    env: { ...process.env, RUST_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return listening(name, child);
}

/** Resolves with `child`'s base URL once it prints "listening on …". */
function listening(name, child) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    const onData = (data) => {
      out += data;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        // Later output (the audit log) is not read here.
        child.stdout.off('data', onData);
        child.stdout.resume();
        child.removeAllListeners('exit');
        const exited = new Promise((done) => child.once('exit', done));
        // Resolves once it has exited, so its port is free again.
        resolve({ url: match[1], stop: () => (child.kill('SIGTERM'), exited) });
      }
    };
    child.stdout.on('data', onData);
  });
}

export const distDir = process.env.DIST_DIR ?? path.join(root, 'dist');

/**
 * The built panel plus the plain host page (tests/e2e/host/ → /host/), in a directory of its
 * own: dist/ itself stays what the build made.
 */
function siteWithHostPage() {
  const site = mkdtempSync(path.join(os.tmpdir(), 'copilot-site-'));
  cpSync(distDir, site, { recursive: true });
  cpSync(path.join(here, 'host'), path.join(site, 'host'), { recursive: true });
  return site;
}

/**
 * Simulator + gateway on free loopback ports; the gateway serves the built panel (and, with
 * `hostPage`, the plain host page at /host/).
 */
export async function startServers({ paceMs = 80, upstream, hostPage = false, dist = distDir, gatewayArgs = [] } = {}) {
  const sim = upstream ? null : await startBinary('simulator', ['--addr', '127.0.0.1:0', '--pace-ms', String(paceMs)]);
  const site = hostPage ? siteWithHostPage() : null;
  const startGateway = (addr) =>
    startBinary(
      'gateway',
      ['--addr', addr, '--dev-http', '--dev-sign-in', '--dist', site ?? dist, ...gatewayArgs],
      { FLOWYTE_API_BASE: upstream ?? sim.url, FLOWYTE_API_KEY: DEV_KEY },
    );
  let gateway = await startGateway('127.0.0.1:0');
  const addr = new URL(gateway.url).host;
  return {
    url: gateway.url,
    simulatorUrl: sim?.url,
    /** Stops the gateway (its sessions, kept in memory, go with it). */
    async stopGateway() {
      await gateway.stop();
    },
    /** Starts the gateway again on the same address, with no sessions. */
    async startGatewayAgain() {
      gateway = await startGateway(addr);
    },
    stop() {
      gateway.stop();
      sim?.stop();
      if (site) rmSync(site, { recursive: true, force: true });
    },
  };
}

/** A free loopback port (bound, then released). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The real OpenID Provider of the sign-in tests (tests/oidc/provider.mjs): its issuer URL. */
function startProvider() {
  const child = spawn(process.execPath, [path.join(root, 'tests/oidc/provider.mjs')], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return listening('the identity provider', child);
}

/** The people at the test provider, and what the gateway's access rules make of them. */
export const PEOPLE = {
  approver: { login: 'ana', name: 'Ana Approver' },
  viewer: { login: 'vic', name: 'Vic Viewer' },
  stranger: { login: 'sam', name: 'Sam Stranger' },
};

/**
 * Simulator + the real identity provider + a gateway configured as a deployment is (a config
 * file: the provider, a key by name, access rules, an audit log), serving the built panel.
 * Ana is an approver by her address, Vic a viewer by his domain; no rule names Sam.
 */
export async function startServersWithSignIn({ paceMs = 10 } = {}) {
  const sim = await startBinary('simulator', ['--addr', '127.0.0.1:0', '--pace-ms', String(paceMs)]);
  const provider = await startProvider();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-gateway-'));
  const config = path.join(dir, 'gateway.toml');
  writeFileSync(
    config,
    `public_origins = ["${origin}"]

[provider]
issuer = "${provider.url}"
client_id = "flowyte-copilot-gateway"
client_secret_env = "OIDC_CLIENT_SECRET"
scopes = ["profile", "email", "groups"]

[keys.northwind]
env = "NORTHWIND_KEY"

[[access]]
email = "ana@northwind.example"
key = "northwind"
role = "approver"

[[access]]
email_domain = "northwind.example"
key = "northwind"
role = "viewer"

[audit]
file = "audit.jsonl"
`,
  );
  const registered = await fetch(`${provider.url}/__test/client`, {
    method: 'POST',
    body: JSON.stringify({
      redirect_uris: [`${origin}/callback`],
      post_logout_redirect_uris: [`${origin}/`],
      backchannel_logout_uri: `${origin}/backchannel-logout`,
    }),
  });
  if (!registered.ok) throw new Error(`the provider refused the client: ${registered.status}`);
  const gateway = await startBinary('gateway', ['--config', config, '--addr', `127.0.0.1:${port}`, '--dev-http', '--dist', distDir], {
    FLOWYTE_API_BASE: sim.url,
    NORTHWIND_KEY: DEV_KEY,
    OIDC_CLIENT_SECRET: 'test-client-secret-not-for-production',
  });
  return {
    url: gateway.url,
    simulatorUrl: sim.url,
    providerUrl: provider.url,
    /** The audit log's lines, parsed. */
    auditLines() {
      let text = '';
      try {
        text = readFileSync(path.join(dir, 'audit.jsonl'), 'utf8');
      } catch {
        return [];
      }
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    },
    stop() {
      gateway.stop();
      provider.stop();
      sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in on the provider's own pages (its login form, then its consent page). */
export async function signInAtProvider(page, login) {
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Headless Debian Chromium; never a browser downloaded by a test tool. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** The panel as a person sees it: by role and accessible name. */
export class CopilotPanel {
  /** The panel in `scope` (a locator), or the page's only panel. */
  constructor(page, scope = page) {
    this.page = page;
    this.scope = scope;
    this.message = scope.getByRole('textbox', { name: 'Message' });
    this.sendButton = scope.getByRole('button', { name: 'Send' });
    this.stopButton = scope.getByRole('button', { name: 'Stop' });
    this.log = scope.getByRole('log', { name: 'Conversation' });
    this.turns = scope.locator('.turn');
    this.lastTurn = this.turns.last();
    this.lastReply = this.lastTurn.locator('.turn-reply');
  }

  async goto(url) {
    await this.page.goto(url);
    await this.message.waitFor();
  }

  /**
   * Records every distinct state the last reply shows, from now on: its text, and the HTML of
   * its finished blocks (the open tail block is left out).
   */
  async recordReplyRenders() {
    await this.page.evaluate(() => {
      window.__replyRenders = [];
      const record = () => {
        const reply = [...document.querySelectorAll('.turn-reply')].at(-1);
        const text = reply?.textContent ?? '';
        const blocks = [...(reply?.querySelectorAll('.md-block:not(.md-tail)') ?? [])].map((b) => b.innerHTML);
        const last = window.__replyRenders.at(-1);
        if (text && (last?.text !== text || last?.blocks.length !== blocks.length)) {
          window.__replyRenders.push({ text, blocks });
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  }

  replyRenders() {
    return this.page.evaluate(() => window.__replyRenders);
  }

  /** The approval card titled `summary` (a regex or text), in the conversation at its turn. */
  card(summary) {
    return this.log.getByRole('article', { name: summary });
  }

  /** The "Applied changes" region: the whole conversation's plan (open it to see it). */
  get changes() {
    return this.scope.getByRole('region', { name: /^Applied changes/, includeHidden: true });
  }

  /** "N changes applied": the button that opens the plan over the log. */
  get changesToggle() {
    return this.scope.locator('.changes-toggle');
  }

  /** Opens the plan of the whole conversation and waits until it shows. */
  async openChanges() {
    if ((await this.changesToggle.getAttribute('aria-expanded')) !== 'true') await this.changesToggle.click();
    await this.changes.waitFor();
  }

  async ask(message) {
    await this.message.fill(message);
    await this.message.press('Enter');
    await this.waitForTurns();
  }

  /** Waits until no turn is sending or streaming. */
  async waitForTurns() {
    await this.page.waitForFunction(
      () => document.querySelectorAll('.turn[data-phase=sending], .turn[data-phase=streaming]').length === 0,
      null,
      { timeout: 20_000 },
    );
  }

  async waitForPhase(phase) {
    await this.page.locator(`.turn[data-phase="${phase}"]`).last().waitFor({ timeout: 20_000 });
  }

  screenshot(name) {
    return this.page.screenshot({ path: path.join(outputDir, `${name}.png`) });
  }
}

/**
 * Collects the page's errors as a host page's monitoring would: page errors, console errors,
 * and (unless `failedRequests` is false) any answer of status 400 or more. `check()` fails the
 * test on any.
 */
export function watchErrors(page, { failedRequests = true } = {}) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()} (${message.location().url})`);
  });
  if (failedRequests) {
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()}: ${response.url()}`);
    });
  }
  return {
    errors,
    check: () => assert.deepEqual(errors, [], 'no page error and no console error'),
  };
}

/** What reached the simulator: its request log (method, path, body, status). */
export async function simulatorRequests(servers) {
  const response = await fetch(`${servers.simulatorUrl}/__sim/requests`);
  return response.json();
}

/** The approvals that reached the simulator (assist requests carrying `confirmed`). */
export async function confirmedRequests(servers) {
  return (await simulatorRequests(servers)).filter(
    (r) => r.method === 'POST' && Array.isArray(r.body?.confirmed) && r.body.confirmed.length > 0,
  );
}

/** Queues a simulator fault (crates/simulator/README.md, "Faults"). */
export async function simulatorFault(servers, fault) {
  const response = await fetch(`${servers.simulatorUrl}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`fault refused: ${response.status} ${await response.text()}`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations on the page as it is now (every rule axe runs by default: WCAG 2.x A
 * and AA, including colour contrast, and its best practices), as short readable lines.
 */
export async function axeViolations(page) {
  // Evaluated by the test driver, not loaded as a script: the page's CSP stays as served.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help}: ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ')}`),
  );
}
