// The panel at its real size, a dashboard's side panel (420×800, and 320×640 at the
// narrowest), end to end: browser → gateway (serving dist/) → simulator. The conversation keeps
// its room in every state; decisions survive a reload; danger looks dangerous; long text and
// wide tables stay readable; the message box grows and refuses what the copilot would refuse;
// focus comes back after each action; the working line; suggestions; recent conversations;
// errors in plain words; a quiet console.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APPROVALS, SIZES, conversationShare, walkStates } from './room.mjs';
import {
  CopilotPanel,
  axeViolations,
  confirmedRequests,
  launchBrowser,
  simulatorFault,
  simulatorRequests,
  startServers,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A page at `size` on fresh servers, with the panel loaded. */
async function open(size = SIZES[0], options = {}) {
  const servers = await startServers({ paceMs: 0, ...options });
  const page = await browser.newPage({ viewport: size });
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

/** axe-core finds nothing in `state`, in the light theme and the dark one. */
async function assertAccessible(page, state) {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await axeViolations(page), [], `axe-core on ${state} (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const isFocused = (locator) => locator.evaluate((el) => document.activeElement === el);

async function until(what, condition, ms = 5_000) {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const size of SIZES) {
  test(`at ${size.width}×${size.height} the conversation keeps at least 60 % of the height in every state`, async () => {
    const { page, panel, close } = await open(size);
    const shares = {};
    try {
      await walkStates(panel, async (state) => {
        shares[state] = await conversationShare(page);
        await panel.screenshot(`room-${size.width}x${size.height}-${state.replaceAll(' ', '-')}`);
        if (state === 'approvals waiting') {
          // Destructive includes a publish; a jump to each waiting card from anywhere.
          const publish = panel.card(APPROVALS[0].card);
          assert.match(await publish.textContent(), /destructive/);
          const waiting = page.getByRole('button', { name: '2 approvals waiting' });
          const focusedCard = () =>
            page.evaluate(() => document.activeElement?.closest('.approval-card[data-state=pending]')?.getAttribute('aria-label'));
          await waiting.click();
          const first = await focusedCard();
          await waiting.click();
          const second = await focusedCard();
          assert.ok(first && second && first !== second, `each press, the next waiting card: ${first} → ${second}`);
        }
        if (state === 'approvals settled' || state === 'after reload') {
          // One line each, with the outcome.
          const outcomes = await page.locator('.approval-card .approval-status').allTextContents();
          assert.deepEqual(outcomes, ['Rejected: nothing was sent.', 'Approved: carried out.'], state);
          for (const card of await page.locator('.approval-card').all()) {
            const { height } = await card.boundingBox();
            assert.ok(height <= 36, `a settled card is one line (${height} px)`);
          }
        }
        if (size === SIZES[0] && state === 'after reload') {
          await page.emulateMedia({ colorScheme: 'dark' });
          await panel.screenshot('room-420x800-after-reload-dark');
          await page.emulateMedia({ colorScheme: 'light' });
        }
        if (size === SIZES[0]) await assertAccessible(page, state);
      });
      for (const [state, share] of Object.entries(shares)) {
        assert.ok(share >= 0.6, `${state}: the conversation has ${(share * 100).toFixed(0)} % of the height`);
      }
      console.log(`# room ${size.width}×${size.height}: ${JSON.stringify(shares)}`);
      if (size === SIZES[0]) {
        // The whole plan opens over the log, and gives it back.
        await panel.openChanges();
        assert.match(await panel.changes.locator('.changes-totals').textContent(), /^Applied: 2 created, 1 updated, 1 destroyed$/);
        assert.ok(await panel.changes.locator('h3').evaluate((h) => document.activeElement === h));
        await assertAccessible(page, 'the plan open');
        await panel.screenshot('room-420x800-plan');
        await page.keyboard.press('Escape');
        await panel.changes.waitFor({ state: 'hidden' });
        assert.ok(await isFocused(panel.changesToggle), 'back on its toggle');
      }
    } finally {
      await close();
    }
  });
}

test('a follow-up message leaves the card actionable: exactly one confirmed request reaches the simulator', async () => {
  const { servers, page, panel, close } = await open();
  try {
    await panel.ask('release the number ending 4421');
    const card = panel.card(/Release \+1 415 555 4421/);
    await card.waitFor();
    const approve = card.getByRole('button', { name: 'Release number' });
    // Danger looks dangerous: not the accent colour of every other button.
    const [danger, accent] = await Promise.all([
      approve.evaluate((b) => getComputedStyle(b).backgroundColor),
      page.locator('button[type=submit]').evaluate((b) => getComputedStyle(b).backgroundColor),
    ]);
    assert.notEqual(danger, accent);
    assert.match(await card.textContent(), /can’t be undone/);
    await panel.ask('which calls failed yesterday?');
    assert.equal(await card.getAttribute('data-state'), 'pending', 'asking on does not take the proposal back');
    await approve.click();
    await page.locator('.approval-card[data-state=approved]').waitFor();
    await panel.waitForTurns();
    const confirmed = await confirmedRequests(servers);
    assert.equal(confirmed.length, 1);
    assert.equal(confirmed[0].status, 200);
    assert.equal(confirmed[0].body.message, 'release the number ending 4421');
  } finally {
    await close();
  }
});

for (const size of SIZES) {
  test(`at ${size.width} px a long URL wraps in the person's bubble and nothing scrolls sideways`, async () => {
    const { page, panel, close } = await open(size);
    try {
      const url = `https://northwind-coffee.example/returns/${'a1b2c3d4'.repeat(30)}?order=${'9'.repeat(40)}`;
      await panel.ask(`Add ${url} to Support Bot's knowledge`);
      const widths = await page.evaluate(() => {
        const log = document.querySelector('.copilot [role=log]');
        const bubble = [...document.querySelectorAll('.turn-message')].at(-1).getBoundingClientRect();
        const box = log.getBoundingClientRect();
        return { scroll: log.scrollWidth, client: log.clientWidth, bubbleRight: bubble.right, logRight: box.right, page: document.documentElement.scrollWidth };
      });
      assert.ok(widths.scroll <= widths.client, `the log does not scroll sideways: ${JSON.stringify(widths)}`);
      assert.ok(widths.bubbleRight <= widths.logRight, 'the bubble stays in the log');
      assert.equal(widths.page, size.width);
    } finally {
      await close();
    }
  });
}

test('the failed-calls table at 420 px: every cell readable, the first column kept, and it says it scrolls', async () => {
  const { page, panel, close } = await open();
  try {
    await panel.ask('Which calls failed yesterday?');
    const scroller = panel.lastReply.locator('.table-scroll').first();
    await scroller.scrollIntoViewIfNeeded();
    const cells = await scroller.evaluate((el) => {
      const out = [];
      for (const cell of el.querySelectorAll('th, td')) {
        const style = getComputedStyle(cell);
        const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
        const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
        const lines = Math.round((cell.getBoundingClientRect().height - padding) / lineHeight);
        // A word is readable when it is not broken over lines: one box per word.
        let broken = [];
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (const match of node.data.matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            if (range.getClientRects().length > 1) broken.push(match[0]);
          }
        }
        out.push({ text: cell.textContent.slice(0, 30), width: cell.getBoundingClientRect().width, lines, broken });
      }
      return out;
    });
    assert.ok(cells.length >= 12, `a header and rows: ${cells.length} cells`);
    for (const cell of cells) {
      assert.deepEqual(cell.broken, [], `no word broken in “${cell.text}”`);
      assert.ok(cell.lines <= 6, `“${cell.text}” takes ${cell.lines} lines`);
    }
    const summary = cells.find((c) => c.text.startsWith('Summary'));
    assert.ok(summary.width >= 200, `the Summary column is ${summary.width} px wide`);
    // Wider than the panel: it scrolls, shows it (a shadow at the edge), and keeps the first
    // column in view when scrolled.
    const scrolled = await scroller.evaluate((el) => {
      const wide = el.scrollWidth > el.clientWidth;
      const hint = getComputedStyle(el).backgroundImage;
      el.scrollLeft = el.scrollWidth;
      const first = el.querySelector('tbody tr td').getBoundingClientRect().left;
      return { wide, hint, first, left: el.getBoundingClientRect().left };
    });
    assert.ok(scrolled.wide);
    assert.match(scrolled.hint, /gradient/);
    assert.ok(Math.abs(scrolled.first - scrolled.left) <= 1, `the first column stays: ${JSON.stringify(scrolled)}`);
    await panel.screenshot('room-420x800-table');
  } finally {
    await close();
  }
});

test('the message box grows, counts near 4,000 characters and sends nothing over them', async () => {
  const { servers, page, panel, close } = await open();
  try {
    const height = () => panel.message.evaluate((el) => el.getBoundingClientRect().height);
    const one = await height();
    await panel.message.fill('one\ntwo\nthree\nfour\nfive\nsix');
    const six = await height();
    assert.ok(six > one * 3, `it grows with six lines: ${one} → ${six}`);
    await panel.message.fill('line\n'.repeat(80));
    const capped = await height();
    assert.ok(capped >= six && capped <= 800 * 0.2 + 1, `up to a cap: ${capped}`);
    assert.ok((await conversationShare(page)) >= 0.6, 'the conversation keeps its room');

    await panel.message.fill('a'.repeat(4_100));
    const count = page.locator('.composer-count');
    assert.match(await count.textContent(), /^4,100 \/ 4,000 · 100 characters over the 4,000-character limit/);
    assert.equal(await panel.sendButton.isDisabled(), true);
    await panel.message.press('Enter');
    await page.waitForTimeout(300);
    const posts = async () => (await simulatorRequests(servers)).filter((r) => r.method === 'POST').length;
    assert.equal(await posts(), 0, 'nothing reached the copilot');
    assert.equal((await panel.message.inputValue()).length, 4_100, 'and nothing was lost');
    await assertAccessible(page, 'a message over the limit');

    await panel.message.fill('a'.repeat(3_900));
    assert.equal(await count.textContent(), '3,900 / 4,000');
    await panel.message.press('Enter');
    await panel.waitForTurns();
    assert.equal(await posts(), 1, 'under the limit it is sent');
  } finally {
    await close();
  }
});

test('focus is in the box on load, and comes back to it after Send, Stop, Approve and Reject', async () => {
  const { servers, page, panel, close } = await open();
  try {
    await until('the box focused on load', () => isFocused(panel.message));
    // Keyboard only: Enter sends and the box keeps focus.
    await page.keyboard.type('list my agents');
    await page.keyboard.press('Enter');
    await panel.waitForTurns();
    assert.ok(await isFocused(panel.message), 'after Enter');
    await panel.message.fill('list my numbers');
    await panel.sendButton.click();
    await panel.waitForTurns();
    assert.ok(await isFocused(panel.message), 'after Send');

    await simulatorFault(servers, { kind: 'slow_deltas', ms: 500 });
    await panel.message.fill('which calls failed yesterday?');
    await panel.message.press('Enter');
    await panel.stopButton.click();
    await panel.waitForPhase('stopped');
    await until('focus back after Stop', () => isFocused(panel.message));

    await panel.ask('revoke the Staging widget key');
    const revoke = panel.card(/Staging widget/);
    await until('the new card focused', () => isFocused(revoke));
    await revoke.getByRole('button', { name: 'Reject' }).click();
    await until('focus back after Reject', () => isFocused(panel.message));

    await panel.ask('unassign the number ending 0188');
    const unassign = panel.card(/Unassign \+1 415 555 0188/);
    await unassign.getByRole('button', { name: 'Approve' }).click();
    await until('focus back after Approve', () => isFocused(panel.message));
    await page.locator('.approval-card[data-state=approved]').waitFor();
    await panel.waitForTurns();
    assert.ok(await isFocused(panel.message), 'still there once it settled');
  } finally {
    await close();
  }
});

test('Working… shows from the moment a turn starts, then the time waited; reduced motion stills it', async () => {
  const { servers, page, panel, close } = await open();
  try {
    // Nothing at all comes back for 8 s.
    await simulatorFault(servers, { kind: 'stall', beforeMs: 8_000 });
    await panel.message.fill('list my agents');
    await panel.message.press('Enter');
    const working = panel.lastTurn.locator('.turn-working');
    await working.waitFor({ timeout: 1_000 });
    assert.equal(await working.getByRole('status').textContent(), 'Working…');
    await working.getByText(/^Working… · [3-7] s$/).waitFor({ timeout: 7_000 });
    await assertAccessible(page, 'the working line');
    const pulse = working.locator('.working-pulse');
    assert.notEqual(await pulse.evaluate((el) => getComputedStyle(el).animationName), 'none');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    assert.equal(await pulse.evaluate((el) => getComputedStyle(el).animationName), 'none');
    await panel.screenshot('room-420x800-working');
    await panel.waitForTurns();
    assert.equal(await working.count(), 0, 'gone once the turn ended');
  } finally {
    await close();
  }
});

test('a suggestion sends what it says', async () => {
  const { servers, panel, close } = await open(SIZES[1]);
  try {
    const suggestions = panel.scope.locator('button.suggestion');
    assert.equal(await suggestions.count(), 4);
    await suggestions.first().click();
    await panel.waitForTurns();
    assert.equal(await panel.lastTurn.locator('.turn-text').textContent(), 'List my agents');
    assert.match(await panel.lastReply.textContent(), /4 agents/);
    const posts = (await simulatorRequests(servers)).filter((r) => r.method === 'POST');
    assert.deepEqual(posts.map((r) => r.body.message), ['List my agents']);
    assert.equal(await panel.changesToggle.count(), 0, 'it changed nothing');
  } finally {
    await close();
  }
});

test('New conversation keeps the old one under Recent, and it reopens from the thread endpoint', async () => {
  const { servers, page, panel, close } = await open();
  try {
    await panel.ask('list my agents');
    await page.getByRole('button', { name: 'New conversation' }).click();
    assert.equal(await panel.turns.count(), 0);
    await panel.ask('list my numbers');
    const recent = page.getByRole('button', { name: 'Recent' });
    await recent.click();
    const item = page.locator('.recent-list button.recent-item');
    assert.equal(await item.count(), 1);
    assert.match(await item.locator('.recent-title').textContent(), /^list my agents$/);
    await assertAccessible(page, 'the recent list open');
    await panel.screenshot('room-420x800-recent');
    await item.click();
    await panel.lastReply.getByText('4 agents').waitFor();
    assert.equal(await panel.turns.count(), 1);
    assert.equal(await panel.lastTurn.locator('.turn-text').textContent(), 'list my agents');
    const reads = (await simulatorRequests(servers)).filter((r) => r.method === 'GET' && r.path.includes('/assist/threads/'));
    assert.ok(reads.length >= 1, 'read from the thread endpoint');
    // The conversation it replaced is the recent one now; a reload keeps both.
    await page.reload();
    await panel.lastReply.getByText('4 agents').waitFor();
    await recent.click();
    assert.deepEqual(await page.locator('.recent-list .recent-title').allTextContents(), ['list my numbers']);
  } finally {
    await close();
  }
});

test('errors in plain words: a restarted gateway is not a sign-in, a stopped one is named', async () => {
  const { servers, page, panel, close } = await open();
  try {
    await panel.ask('list my agents');
    await servers.stopGateway();
    await servers.startGatewayAgain();
    await panel.ask('list my numbers');
    const error = panel.lastTurn.getByRole('alert');
    assert.match(await error.textContent(), /^The copilot's session ended/);
    assert.doesNotMatch(await error.textContent(), /sign in/i);
    assert.equal(await page.getByRole('link', { name: 'Sign in' }).count(), 0);
    assert.equal(await panel.message.inputValue(), 'list my numbers', 'the message is back in the box');
    await panel.message.press('Enter');
    await panel.waitForTurns();
    assert.match(await panel.lastReply.textContent(), /numbers/);

    await servers.stopGateway();
    await panel.ask('list my agents');
    const down = await panel.lastTurn.getByRole('alert').textContent();
    assert.match(down, /^The copilot's gateway is not answering/);
    assert.doesNotMatch(down, /TypeError|Failed to fetch|your connection/);
    await assertAccessible(page, 'a down gateway');
  } finally {
    await close();
  }
});

test('a normal visit logs nothing red in the console, and the first session check is a 200', async () => {
  const { page, panel, close } = await open();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const sessionChecks = [];
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    if (new URL(r.url()).pathname === '/session' && r.request().method() === 'GET') {
      // Read at once: a later reload leaves no body to read.
      sessionChecks.push(r.json().then((body) => ({ status: r.status(), body }), () => null));
    }
  });
  try {
    await page.reload();
    await panel.message.waitFor();
    await until('the first session check', () => sessionChecks.length > 0);
    const first = await sessionChecks[0];
    await panel.ask('add an order-lookup skill to Support Bot');
    await panel.ask('unassign the number ending 0188');
    await panel.card(/Unassign/).getByRole('button', { name: 'Approve' }).click();
    await page.locator('.approval-card[data-state=approved]').waitFor();
    await panel.waitForTurns();
    await page.reload();
    await panel.card(/Unassign/).waitFor();
    assert.deepEqual(problems, []);
    assert.equal(first.status, 200);
    assert.equal(first.body.signedIn, false, 'signed out is an answer, not an error');
  } finally {
    await close();
  }
});
