// The panel in German (the dev page's ?locale=de, the release build behind the real gateway
// and simulator): axe-core finds nothing in the empty, finished, approval and plan states, its
// chrome reads German by role and name, and a screenshot at side-panel size (420×800) lands in
// tests/e2e/output/. The simulator's copilot understands English requests, so the person asks in
// English: replies and summaries are the server's content, not the panel's chrome.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import path from 'node:path';
import { axeViolations, launchBrowser, outputDir, startServers } from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function assertNoViolations(page, state) {
  assert.deepEqual(await axeViolations(page), [], `axe-core on the German ${state} state`);
}

test('a German panel has no axe violation in any state and names its parts in German', async () => {
  const servers = await startServers({ paceMs: 0 });
  const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  try {
    await page.goto(`${servers.url}/?locale=de`);
    const message = page.getByRole('textbox', { name: 'Nachricht' });
    await message.waitFor();
    assert.equal(await page.locator('section.copilot').getAttribute('lang'), 'de');
    assert.equal(await message.getAttribute('placeholder'), 'Fragen Sie den Copilot…');
    await page.getByRole('button', { name: 'Neues Gespräch' }).waitFor();
    await assertNoViolations(page, 'empty');

    const ask = async (text) => {
      await message.fill(text);
      await message.press('Enter');
      await page.waitForFunction(
        () => document.querySelectorAll('.turn[data-phase=sending], .turn[data-phase=streaming]').length === 0,
        null,
        { timeout: 20_000 },
      );
    };
    await ask('Add an order-lookup skill to Support Bot');
    await page.getByRole('button', { name: '1 Änderung angewendet' }).waitFor();
    await page.getByRole('log', { name: 'Gesprächsverlauf' }).waitFor();
    await assertNoViolations(page, 'finished');

    await ask('Release the number ending 4421');
    const card = page.getByRole('article', { name: /4421/ });
    await card.getByRole('button', { name: 'Nummer freigeben' }).waitFor();
    await card.getByRole('button', { name: 'Ablehnen' }).waitFor();
    await page.getByRole('button', { name: '1 Freigabe wartet' }).waitFor();
    await assertNoViolations(page, 'approval');
    await page.screenshot({ path: path.join(outputDir, 'german-420x800-approval.png') });

    await page.getByRole('button', { name: '1 Änderung angewendet' }).click();
    const plan = page.getByRole('region', { name: 'Angewendete Änderungen' });
    await plan.waitFor();
    assert.match(await plan.textContent(), /Angewendet: 1 erstellt, 0 geändert, 0 gelöscht/);
    await assertNoViolations(page, 'plan');
    await page.screenshot({ path: path.join(outputDir, 'german-420x800-plan.png') });
    await plan.getByRole('button', { name: 'Schließen' }).click();

    await card.getByRole('button', { name: 'Ablehnen' }).click();
    await page.locator('.approval-card[data-state=rejected]').waitFor();
    assert.match(await card.textContent(), /Abgelehnt: Nichts wurde gesendet\./);
    await assertNoViolations(page, 'settled');
    assert.deepEqual(problems, [], 'no page or console error');
  } finally {
    await page.close();
    servers.stop();
  }
});
