// Embedding: a plain host page (tests/e2e/host/, no Leptos in it) mounts two panels side by
// side with mount(element, options). They share no state: not the conversation, the thread,
// the changes, the events, the storage, nor the session's requests.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CopilotPanel, axeViolations, launchBrowser, outputDir, simulatorRequests, startServers } from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const events = (page, panel) => page.evaluate((name) => window.hostEvents.filter((e) => e.panel === name), panel);

test('two panels mounted by a plain host page share no state', async () => {
  const servers = await startServers({ paceMs: 0, hostPage: true });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(`${servers.url}/host/`);
    await page.locator('body[data-ready=true]').waitFor();
    const account = new CopilotPanel(page, page.locator('#account-copilot'));
    const agent = new CopilotPanel(page, page.locator('#agent-copilot'));
    assert.match(await page.evaluate(() => window.secondMountError), /storageKey "host-account"/);
    assert.equal(await account.scope.locator('section.copilot').getAttribute('data-theme'), 'light');
    assert.equal(await agent.scope.locator('section.copilot').getAttribute('data-theme'), 'dark');
    // The panel's stylesheet styles nothing of the host's, even classes with the panel's names.
    const own = await page.locator('#host-own').evaluate((el) => {
      const style = getComputedStyle(el);
      return { display: style.display, position: style.position, width: el.getBoundingClientRect().width };
    });
    assert.deepEqual({ display: own.display, position: own.position }, { display: 'block', position: 'static' });
    assert.ok(own.width > 100, `the host's element keeps its width (${own.width} px)`);

    await account.ask('List my agents');
    assert.match(await account.lastReply.textContent(), /4 agents/);
    assert.equal(await agent.turns.count(), 0, 'the other panel shows nothing of it');

    // The agent panel: Sales Assistant's copilot, so the skill goes to Sales Assistant.
    await agent.ask('Add an order-lookup skill');
    await agent.changesToggle.getByText('1 change applied').waitFor();
    assert.match(await agent.changes.textContent(), /POST \/agents\/agt_0002\/skills/);
    assert.equal(await account.scope.locator('.plan-row').count(), 0, 'no change shows in the account panel');

    const posts = (await simulatorRequests(servers)).filter((r) => r.method === 'POST');
    assert.deepEqual(
      posts.map((r) => [r.path, r.body.context ?? null]),
      [
        ['/api/v1/assist', null],
        ['/api/v1/agents/agt_0002/assist', { page: 'agent-settings', agentId: 'agt_0002' }],
      ],
    );

    // Host events go to the panel they came from.
    const accountEvents = await events(page, 'account');
    const agentEvents = await events(page, 'agent');
    assert.deepEqual(accountEvents.map((e) => e.type), ['thread-changed']);
    assert.deepEqual(agentEvents.map((e) => e.type).sort(), ['changes-applied', 'thread-changed']);
    const applied = agentEvents.find((e) => e.type === 'changes-applied').detail;
    assert.deepEqual(applied.map((m) => [m.method, m.path]), [['POST', '/agents/agt_0002/skills']]);
    const threads = [accountEvents, agentEvents].map((list) => list.find((e) => e.type === 'thread-changed').detail.threadId);
    assert.notEqual(threads[0], threads[1]);
    const stored = await page.evaluate(() => [localStorage.getItem('host-account'), localStorage.getItem('host-agent')]);
    assert.deepEqual(stored.map((s) => JSON.parse(s).threadId), threads, 'each thread under its own key');

    assert.deepEqual(await axeViolations(page), [], 'axe-core on the host page with two panels');
    await page.screenshot({ path: path.join(outputDir, 'embedded-two-panels.png') });

    // A reload: each panel resumes its own conversation.
    await page.reload();
    await page.locator('body[data-ready=true]').waitFor();
    await account.lastReply.getByText('4 agents').waitFor();
    await agent.changesToggle.getByText('1 change applied').waitFor();
    assert.match(await agent.changes.locator('.changes-totals').textContent(), /^Applied: 1 created/);
    assert.equal(await account.turns.count(), 1);
    assert.equal(await agent.turns.count(), 1);
    assert.equal(await account.scope.locator('.plan-row').count(), 0);

    // Unmounting one leaves the other working.
    await page.evaluate(() => window.panels.account.unmount());
    assert.equal(await page.locator('#account-copilot > *').count(), 0);
    assert.equal(await page.evaluate(() => window.panels.account.mounted), false);
    await agent.ask('List my agents');
    assert.equal(await agent.turns.count(), 2);
    assert.deepEqual((await events(page, 'account')).filter((e) => e.type === 'error'), []);
    assert.deepEqual((await events(page, 'agent')).filter((e) => e.type === 'error'), []);
  } finally {
    await page.close();
    servers.stop();
  }
});

test('two tabs share one gateway session: the second joins it rather than replacing it', async () => {
  const servers = await startServers({ paceMs: 0 });
  const context = await browser.newContext({ viewport: { width: 480, height: 720 } });
  try {
    const first = new CopilotPanel(await context.newPage());
    await first.goto(servers.url);
    await first.ask('List my agents');
    const second = new CopilotPanel(await context.newPage());
    await second.goto(servers.url);
    await second.ask('List my agents');
    // The first tab's token is still its session's: its next request goes through.
    await first.ask('List my numbers');
    assert.equal(await first.page.locator('.turn[data-phase=failed]').count(), 0);
    assert.equal(await first.page.locator('.turn[data-phase=done]').count(), 2);
    assert.equal(await second.page.locator('.turn[data-phase=done]').count(), 2, 'the second tab resumed the thread, then asked');
  } finally {
    await context.close();
    servers.stop();
  }
});
