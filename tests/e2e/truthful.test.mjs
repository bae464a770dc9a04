// Truthful turns end to end: browser → gateway → simulator, with the simulator's faults. A
// reply cut mid-way shows what the server recorded and never puts the message back as unsent;
// an approval whose answer broke off settles from the thread without a second confirmation;
// two browsers approving one card send it once; a double-clicked Send sends once. Every test
// listens for page errors and console errors and fails on any.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopilotPanel, confirmedRequests, launchBrowser, simulatorFault, simulatorRequests, startServers, watchErrors } from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A page at the side panel's size, its errors collected. */
async function open(servers, context = browser) {
  const page = await context.newPage({ viewport: { width: 420, height: 800 } });
  // A refused approval (409) is an answer the panel expects; only page and console errors count.
  const watch = watchErrors(page, { failedRequests: false });
  const panel = new CopilotPanel(page);
  await panel.goto(servers.url);
  return { page, panel, watch };
}

/** The POSTs that reached the simulator with `message`. */
async function posted(servers, message) {
  return (await simulatorRequests(servers)).filter((r) => r.method === 'POST' && r.body?.message === message);
}

const SKILL = 'add an order-lookup skill to Support Bot';
const RELEASE = 'release the number ending 4421';

test('a reply cut before its change frame shows the change the server recorded, and keeps the message sent', async () => {
  const servers = await startServers({ paceMs: 10 });
  const { page, panel, watch } = await open(servers);
  try {
    await panel.ask('list my agents');
    // The connection drops after two frames: before the skill's `mutation` frame.
    await simulatorFault(servers, { kind: 'drop_after_frames', frames: 2 });
    await panel.ask(SKILL);
    assert.equal(await panel.lastTurn.getAttribute('data-phase'), 'interrupted');
    assert.match(await panel.lastTurn.locator('.turn-error').textContent(), /may have carried out part of it/);
    assert.equal(await panel.message.inputValue(), '', 'not put back as if unsent');
    await panel.lastTurn.locator('.turn-check[data-check=recorded]').waitFor();
    assert.equal(await panel.lastTurn.locator('.plan-recorded').count(), 1, 'the change shows, marked');
    assert.match(await panel.lastTurn.locator('.plan-summary').textContent(), /Order lookup/);
    assert.equal(await panel.changesToggle.textContent(), '1 change applied');
    assert.equal((await posted(servers, SKILL)).length, 1, 'one request reached the simulator');
    // Retry asks first, naming the change; "Don't send" sends nothing.
    await panel.lastTurn.getByRole('button', { name: 'Retry' }).click();
    const question = panel.lastTurn.getByRole('group', { name: 'Send this request again?' });
    assert.match(await question.textContent(), /already applied 1 change \(1 created\): Added the skill “Order lookup”/);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Don’t send', 'focus on the safe choice');
    await page.keyboard.press('Enter');
    await question.waitFor({ state: 'detached' });
    assert.equal((await posted(servers, SKILL)).length, 1, 'still one');
    await panel.screenshot('cut-reply-recorded');
    // Stop is an outcome too: the stopped turn is checked, and nothing goes to the console.
    await simulatorFault(servers, { kind: 'stall', betweenMs: 400 });
    await panel.message.fill('list my numbers');
    await panel.message.press('Enter');
    await panel.waitForPhase('streaming');
    await page.waitForTimeout(600);
    await panel.message.press('Escape');
    await panel.waitForPhase('stopped');
    await panel.lastTurn.locator('.turn-check[data-check=recorded]').waitFor();
    watch.check();
  } finally {
    await page.close();
    servers.stop();
  }
});

test('an approval whose answer broke off after the simulator acted settles from the thread, confirmed once', async () => {
  const servers = await startServers({ paceMs: 10 });
  const { page, panel, watch } = await open(servers);
  try {
    await panel.ask(RELEASE);
    const card = panel.card(/Release \+1 415 555 4421/);
    await simulatorFault(servers, { kind: 'drop_after_frames', frames: 1 });
    await card.locator('button.approve').click();
    await panel.log.locator('.approval-card[data-state=approved]').waitFor();
    assert.match(await card.locator('.approval-status').textContent(), /recorded it as carried out/);
    assert.equal(await card.locator('button.retry').count(), 0, 'never a plain Retry');
    assert.equal((await confirmedRequests(servers)).length, 1, 'confirmed once');
    await panel.lastTurn.locator('.plan-recorded').waitFor({ state: 'attached' });
    watch.check();
  } finally {
    await page.close();
    servers.stop();
  }
});

test('two browsers approving one card at once send one confirmation; the other says it was approved elsewhere', async () => {
  const servers = await startServers({ paceMs: 10 });
  const contexts = [await browser.newContext(), await browser.newContext()];
  try {
    const a = await open(servers, contexts[0]);
    await a.panel.ask(RELEASE);
    const stored = await a.page.evaluate(() => localStorage.getItem('flowyte-copilot'));
    // The other browser opens the same conversation (as a reload of a shared thread would).
    const b = await open(servers, contexts[1]);
    await b.page.evaluate((value) => localStorage.setItem('flowyte-copilot', value), stored);
    await b.page.reload();
    const approve = (panel) => panel.log.locator('.approval-card[data-state=pending] button.approve');
    await approve(b.panel).waitFor();
    await Promise.all([approve(a.panel).click(), approve(b.panel).click()]);
    const settled = (panel) => panel.log.locator('.approval-card[data-settled=true]');
    await Promise.all([settled(a.panel).waitFor(), settled(b.panel).waitFor()]);
    const states = [await settled(a.panel).getAttribute('data-state'), await settled(b.panel).getAttribute('data-state')].sort();
    assert.deepEqual(states, ['approved', 'approved-elsewhere']);
    const text = (await a.panel.log.locator('.approval-card').textContent()) + (await b.panel.log.locator('.approval-card').textContent());
    assert.match(text, /Already approved elsewhere: Developer .* approved this on \d{4}-\d\d-\d\d at \d\d:\d\d UTC/);
    assert.equal((await confirmedRequests(servers)).length, 1, 'exactly one confirmation upstream');
    // Both plans show the release: the one that lost the race reads it from the thread.
    const lost = (await a.page.locator('[data-state=approved-elsewhere]').count()) ? a : b;
    const won = lost === a ? b : a;
    await lost.page.locator('.turn .plan-recorded').waitFor({ state: 'attached' });
    assert.equal(await won.page.locator('.turn .plan-recorded').count(), 0, 'it saw its own change');
    for (const x of [a, b]) assert.equal(await x.panel.changesToggle.textContent(), '1 change applied');
    // The refused one is a 409 the browser reports in its console; page errors there are none.
    for (const x of [a, b]) assert.deepEqual(x.watch.errors.filter((p) => p.startsWith('pageerror')), []);
  } finally {
    for (const context of contexts) await context.close();
    servers.stop();
  }
});

test('a double-clicked Send sends once and never stops the turn', async () => {
  const servers = await startServers({ paceMs: 40 });
  const { page, panel, watch } = await open(servers);
  try {
    await panel.message.fill('list my agents');
    await panel.sendButton.dblclick();
    await panel.waitForTurns();
    assert.equal(await panel.turns.count(), 1);
    assert.equal(await panel.lastTurn.getAttribute('data-phase'), 'done');
    assert.equal((await posted(servers, 'list my agents')).length, 1);
    watch.check();
  } finally {
    await page.close();
    servers.stop();
  }
});
