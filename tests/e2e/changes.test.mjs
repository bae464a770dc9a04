// Change review end to end: browser → gateway (serving dist/) → simulator. What reaches the
// upstream is counted in the simulator's own request log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopilotPanel, DEV_KEY, confirmedRequests, launchBrowser, startServers } from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function open(options = {}) {
  const servers = await startServers({ paceMs: 10, ...options });
  const page = await browser.newPage({ viewport: { width: 480, height: 900 } });
  const panel = new CopilotPanel(page);
  await panel.goto(servers.url);
  return {
    servers,
    page,
    panel,
    async close() {
      await page.close();
      servers.stop();
    },
  };
}

test('a create shows as a + row with its fields and totals', async () => {
  const { panel, close } = await open();
  try {
    await panel.ask('add an order-lookup skill to Support Bot');
    assert.equal(await panel.changesToggle.textContent(), '1 change applied');
    await panel.openChanges();
    const changes = panel.changes;
    assert.equal(await changes.locator('.changes-totals').textContent(), 'Applied: 1 created, 0 updated, 0 destroyed');
    const row = changes.locator('.plan-row');
    assert.equal(await row.count(), 1);
    assert.equal(await row.locator('.plan-symbol').textContent(), '+');
    assert.match(await row.textContent(), /Added the skill “Order lookup” to Support Bot/);
    assert.match(await row.textContent(), /POST \/agents\/agt_0001\/skills/);
    // A row shows that it opens, and that it is open.
    const chevron = () => row.locator('summary').evaluate((s) => getComputedStyle(s, '::after').content);
    assert.equal(await chevron(), '"▸"');
    await row.locator('summary').click();
    assert.equal(await chevron(), '"▾"');
    assert.match(await row.locator('.plan-fields').textContent(), /\+ name = "Order lookup"/);
    assert.match(await row.locator('.plan-detail').textContent(), /^Create skill \(createSkill\)/, 'the operation in words first');
    await panel.screenshot('change-plan');
    await panel.page.emulateMedia({ colorScheme: 'dark' });
    await panel.screenshot('change-plan-dark');
  } finally {
    await close();
  }
});

test('a double-clicked approval runs once, and its destroy row appears', async () => {
  const { servers, panel, close } = await open();
  try {
    await panel.ask('release the number ending 4421');
    const card = panel.card(/Release \+1 415 555 4421/);
    await card.waitFor();
    assert.match(await card.textContent(), /destructive/);
    assert.match(await card.textContent(), /DELETE \/numbers\/num_0001/);
    await panel.screenshot('approval-card');
    // Irreversible: its Approve says what it does.
    await card.getByRole('button', { name: 'Release number' }).dblclick();
    await panel.page.locator('.approval-card[data-state=approved]').waitFor();
    await panel.waitForTurns();
    const confirmed = await confirmedRequests(servers);
    assert.equal(confirmed.length, 1, 'exactly one confirmed request reached the simulator');
    assert.equal(confirmed[0].body.message, 'release the number ending 4421');
    assert.equal(confirmed[0].status, 200);
    const destroy = panel.changes.locator('.plan-row[data-action=destroy]');
    assert.match(await destroy.textContent(), /Released \+1 415 555 4421/);
    assert.equal(await destroy.locator('.plan-symbol').textContent(), '-');
  } finally {
    await close();
  }
});

test('reject sends nothing and changes nothing', async () => {
  const { servers, panel, close } = await open();
  try {
    await panel.ask('revoke the Staging widget key');
    const card = panel.card(/Staging widget/);
    await card.getByRole('button', { name: 'Reject' }).click();
    await panel.page.locator('.approval-card[data-state=rejected]').waitFor();
    assert.equal((await confirmedRequests(servers)).length, 0);
    const account = await (await fetch(`${servers.simulatorUrl}/__sim/account`)).json();
    assert.ok(account.publishableKeys.some((k) => k.name === 'Staging widget'), 'the key is still there');
  } finally {
    await close();
  }
});

test('an approval the server already carried out ends Stale with its explanation', async () => {
  const { servers, page, panel, close } = await open();
  try {
    await panel.ask('release the number ending 7730');
    const card = panel.card(/Release \+1 628 555 7730/);
    await card.waitFor();
    // Someone approves it elsewhere first (straight at the upstream, same thread).
    const { threadId } = JSON.parse(await page.evaluate(() => localStorage.getItem('flowyte-copilot')));
    const headers = { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json' };
    const view = await (await fetch(`${servers.simulatorUrl}/api/v1/assist/threads/${threadId}`, { headers })).json();
    const elsewhere = await fetch(`${servers.simulatorUrl}/api/v1/assist`, {
      method: 'POST',
      headers: { ...headers, accept: 'application/json' },
      body: JSON.stringify({ message: 'release the number ending 7730', threadId, confirmed: view.pendingConfirmations }),
    });
    assert.equal(elsewhere.status, 200);

    await card.getByRole('button', { name: 'Release number' }).click();
    await page.locator('.approval-card[data-state=stale]').waitFor();
    assert.match(await card.textContent(), /already carried out/);
    assert.equal((await confirmedRequests(servers)).filter((r) => r.status === 409).length, 1);
  } finally {
    await close();
  }
});

test('a reload restores the applied changes and the waiting approval', async () => {
  const { page, panel, close } = await open();
  try {
    await panel.ask('add an order-lookup skill to Support Bot');
    await panel.ask('unassign the number ending 0188');
    await panel.card(/Unassign \+1 415 555 0188/).waitFor();
    await page.reload();
    await panel.message.waitFor();
    const card = panel.card(/Unassign \+1 415 555 0188/);
    await card.waitFor();
    assert.equal(await card.getAttribute('data-state'), 'pending');
    assert.match(await panel.changes.textContent(), /Added the skill “Order lookup” to Support Bot/);
    assert.equal(await page.locator('.turn').count(), 2);
    // And it still works after the reload.
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.approval-card[data-state=approved]').waitFor();
    assert.match(await panel.changes.textContent(), /Unassigned \+1 415 555 0188/);
  } finally {
    await close();
  }
});
