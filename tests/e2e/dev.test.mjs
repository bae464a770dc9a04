// scripts/dev, as far as a test can run it without building the dev page: the commands it
// runs (the dev build in its own directory, both of the dev page's origins allowed), the dev
// page working at http://localhost and http://127.0.0.1 through a proxy in trunk's place with
// the gateway started as scripts/dev starts it, the supervisor naming the server that exited
// and stopping the others, and logs without colour codes when they are not a terminal.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { CopilotPanel, DEV_KEY, distDir, launchBrowser, root } from './support.mjs';

const run = promisify(execFile);

/** Runs `script` in bash with scripts/lib/dev.sh sourced, in the repository. */
function devShell(script, options = {}) {
  return run('bash', ['-c', `source scripts/lib/dev.sh\n${script}`], { cwd: root, ...options });
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('scripts/dev builds the dev page into its own directory and lets both of its origins in', async () => {
  const { stdout } = await run(path.join(root, 'scripts/dev'), ['--dry-run'], { cwd: root, env: { ...process.env, FLOWYTE_API_BASE: '' } });
  const commands = Object.fromEntries(stdout.trim().split('\n').map((line) => line.split(/: (.*)/s).slice(0, 2)));
  assert.match(commands.trunk, /--dist target\/trunk-dev(\s|$)/, 'not over the release build in dist/');
  assert.doesNotMatch(commands.trunk, /--dist dist(\s|$)/);
  for (const origin of ['http://127.0.0.1:8080', 'http://localhost:8080']) {
    assert.ok(commands.gateway.includes(`--allow-origin ${origin}`), `${origin} in ${commands.gateway}`);
  }
  assert.match(commands.simulator, /flowyte-simulator/);
});

/** Starts one of our binaries; resolves once it prints "listening on". */
function start(binary, args, env = {}) {
  const child = spawn(path.join(root, 'target/debug', binary), args, {
    env: { ...process.env, RUST_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${binary} exited with ${code}`)));
    child.stdout.on('data', (data) => {
      out += data;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) resolve({ url: match[1], stop: () => child.kill('SIGTERM') });
    });
  });
}

/** A free loopback port (bound, then released). */
function freePort() {
  return new Promise((resolve) => {
    const server = http.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };

/**
 * trunk serve's place, on `port`: the built page from dist/, and /api/ and /session passed to
 * the gateway as trunk's proxy passes them (the browser's Origin kept, Host the gateway's).
 */
function devPage(gatewayUrl, port = 0) {
  const gateway = new URL(gatewayUrl);
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://dev');
    if (url.pathname.startsWith('/api/') || url.pathname === '/session') {
      const upstream = http.request(
        { host: gateway.hostname, port: gateway.port, path: request.url, method: request.method, headers: { ...request.headers, host: gateway.host } },
        (answer) => {
          response.writeHead(answer.statusCode, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(upstream);
      return;
    }
    const file = path.join(distDir, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
    if (!file.startsWith(distDir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve({ port: server.address().port, stop: () => server.close() })),
  );
}

test('the dev page works at http://localhost and at http://127.0.0.1 with the gateway as scripts/dev starts it', async () => {
  const simulator = await start('flowyte-simulator', ['--addr', '127.0.0.1:0', '--pace-ms', '0']);
  const servers = [simulator];
  try {
    // The page's port must be known before the gateway starts (its origins name it).
    const port = await freePort();
    const origins = (await devShell(`dev_page_origins ${port}`)).stdout.trim().split('\n');
    const askAt = async (gatewayArgs, host) => {
      const gateway = await start('flowyte-gateway', ['--addr', '127.0.0.1:0', '--dev-http', '--dev-sign-in', ...gatewayArgs], {
        FLOWYTE_API_BASE: simulator.url,
        FLOWYTE_API_KEY: DEV_KEY,
      });
      const page = await devPage(gateway.url, port);
      const tab = await browser.newPage({ viewport: { width: 420, height: 800 } });
      try {
        const panel = new CopilotPanel(tab);
        await panel.goto(`http://${host}:${port}/`);
        await panel.ask('list my agents');
        return (await panel.lastTurn.getAttribute('data-phase')) === 'done'
          ? 'answered'
          : await panel.lastTurn.getByRole('alert').textContent();
      } finally {
        await tab.close();
        page.stop();
        gateway.stop();
      }
    };
    const allowed = origins.flatMap((origin) => ['--allow-origin', origin]);
    assert.equal(await askAt(allowed, 'localhost'), 'answered', 'what people type');
    assert.equal(await askAt(allowed, '127.0.0.1'), 'answered', 'what trunk lists');
    // Before: only 127.0.0.1 was allowed, and every message from localhost was refused.
    assert.match(await askAt(['--allow-origin', origins[0]], 'localhost'), /origin may not call the gateway/);
  } finally {
    for (const server of servers) server.stop();
  }
});

test('the supervisor names the server that exited and stops the others', async () => {
  const script = `
    supervise simulator sleep 30
    supervise gateway sh -c 'sleep 0.3; exit 3'
    supervise "trunk dev server" sleep 30
    echo "pids \${SUPERVISED_PIDS[*]}"
    supervise_wait
    echo "status $?"
    stop_supervised
  `;
  const { stdout, stderr } = await devShell(script);
  assert.match(stderr, /^the gateway exited \(status 3\); stopping the others$/m);
  assert.match(stdout, /^status 3$/m);
  const pids = stdout.match(/^pids (.*)$/m)[1].split(' ').map(Number);
  for (const pid of pids) {
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} was stopped`);
  }
});

test('logs carry no colour codes when they are not a terminal', async () => {
  const logsOf = async (script) => {
    const child = spawn('bash', ['-c', `source scripts/lib/dev.sh\n${script}`], {
      cwd: root,
      env: { ...process.env, RUST_LOG: 'trace' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    await new Promise((resolve) => {
      const check = setInterval(() => {
        const match = out.match(/listening on (http:\/\/\S+)/);
        if (match) {
          clearInterval(check);
          // A request: the server logs it.
          fetch(`${match[1]}/__sim/account`).then(() => setTimeout(resolve, 200));
        }
      }, 20);
    });
    child.kill('SIGTERM');
    return out;
  };
  const simulator = path.join(root, 'target/debug/flowyte-simulator');
  const plain = await logsOf(`dev_log_env; exec ${simulator} --addr 127.0.0.1:0`);
  assert.match(plain, /accepted/, 'it logged');
  assert.doesNotMatch(plain, /\x1b\[/, 'without colour codes');
  // The check can fail: without dev_log_env the same logs are coloured.
  const coloured = await logsOf(`NO_COLOR= exec ${simulator} --addr 127.0.0.1:0`);
  assert.match(coloured, /\x1b\[/);
  // trunk still starts under those settings (it reads NO_COLOR as its --no-color flag).
  await devShell('source scripts/lib/ensure-tools.sh; dev_log_env; trunk config show > /dev/null');
});
