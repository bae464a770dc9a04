// Accessibility and layout of the finished panel: axe-core on the empty, streaming, finished
// and approval states in both themes, and the panel at 320 px wide. Screenshots for the README.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopilotPanel, axeViolations, launchBrowser, simulatorFault, startServers } from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function assertNoViolations(page, state) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe-core on the ${state} state`);
}

for (const colorScheme of ['light', 'dark']) {
  test(`axe-core finds nothing in any state (${colorScheme})`, async () => {
    const servers = await startServers({ paceMs: 20 });
    const page = await browser.newPage({ viewport: { width: 560, height: 860 }, colorScheme });
    try {
      const panel = new CopilotPanel(page);
      await panel.goto(servers.url);
      await assertNoViolations(page, 'empty');

      // Streaming: deltas 600 ms apart hold the turn open while axe runs.
      await simulatorFault(servers, { kind: 'slow_deltas', ms: 600 });
      await panel.message.fill('Which calls failed yesterday?');
      await panel.message.press('Enter');
      await page.locator('.turn[data-phase=streaming] .turn-reply .md-block').first().waitFor({ timeout: 20_000 });
      assert.equal(await panel.log.getAttribute('aria-busy'), 'true');
      await assertNoViolations(page, 'streaming');
      // Esc stops it (the rest would take a minute at this pace).
      await panel.message.press('Escape');
      await panel.waitForPhase('stopped');

      // Finished, with a table and applied changes.
      await panel.ask('Add an order-lookup skill to Support Bot');
      await panel.changesToggle.waitFor();
      await assertNoViolations(page, 'finished');
      await panel.screenshot(`finished-${colorScheme}`);

      // An approval waiting, focused.
      await panel.ask('Release the number ending 4421');
      await panel.card(/Release/).waitFor();
      await assertNoViolations(page, 'approval');
      await panel.screenshot(`approval-${colorScheme}`);

      // The check can fail: muted text a host turned faint is a contrast violation.
      const faint = colorScheme === 'dark' ? '#3d444d' : '#b0b0b0';
      await page.evaluate((c) => document.querySelector('.copilot').style.setProperty('--copilot-muted', c), faint);
      const pale = await axeViolations(page);
      assert.ok(pale.some((v) => v.startsWith('color-contrast')), `faint text is flagged: ${pale}`);
    } finally {
      await page.close();
      servers.stop();
    }
  });
}

test('at 320 px wide nothing scrolls sideways but the wide table inside the reply', async () => {
  const servers = await startServers({ paceMs: 0 });
  const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
  try {
    const panel = new CopilotPanel(page);
    await panel.goto(servers.url);
    await panel.ask('Which calls failed yesterday?');
    await panel.ask('Add an order-lookup skill to Support Bot');
    await panel.ask('Release the number ending 4421');
    await panel.card(/Release/).waitFor();
    // Open the plan and every row in it: its fields are the widest part of the panel.
    await panel.openChanges();
    for (const summary of await panel.changes.locator('summary').all()) await summary.click();

    const overflow = await page.evaluate(() => {
      const wide = [];
      for (const element of document.querySelectorAll('.copilot *')) {
        // Tables and code scroll inside their own box, by design.
        if (element.closest('.table-scroll, pre')) continue;
        const box = element.getBoundingClientRect();
        if (box.width > 0 && (box.right > window.innerWidth + 0.5 || box.left < -0.5)) {
          wide.push(`${element.tagName.toLowerCase()}.${element.className}: ${box.left.toFixed(0)}–${box.right.toFixed(0)}`);
        }
      }
      return { page: document.documentElement.scrollWidth, wide };
    });
    assert.equal(overflow.page, 320, 'the page does not scroll sideways');
    assert.deepEqual(overflow.wide, [], 'every element fits in 320 px');
    // The conversation keeps room to read while approvals and changes are open.
    const log = await panel.log.boundingBox();
    assert.ok(log.height >= 120, `the log keeps ${log.height} px`);
    await assertNoViolations(page, '320 px');
    await panel.screenshot('narrow-320');
  } finally {
    await page.close();
    servers.stop();
  }
});
