// The walking skeleton end to end: browser → gateway (serving dist/) → simulator.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CopilotPanel, axeViolations, launchBrowser, startServers } from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('a reply streams in over several renders, then completes', async () => {
  const servers = await startServers({ paceMs: 80 });
  const page = await browser.newPage({ viewport: { width: 480, height: 720 } });
  try {
    const panel = new CopilotPanel(page);
    await panel.goto(servers.url);
    await panel.recordReplyRenders();

    await panel.message.fill('list my agents');
    await panel.message.press('Enter');
    // While the reply streams, the person can stop it and the log says it is busy.
    await panel.stopButton.waitFor();
    assert.equal(await panel.log.getAttribute('aria-busy'), 'true');
    assert.equal(await panel.message.inputValue(), '', 'the sent message leaves the textbox');

    await panel.waitForPhase('done');
    const renders = await panel.replyRenders();
    const final = await panel.lastReply.textContent();
    assert.match(final, /You have \W*4 agents/);
    assert.match(final, /Support Bot/);
    const partial = renders.filter((r) => r.text !== final);
    assert.ok(partial.length >= 2, `expected at least two partial renders, saw ${partial.length}`);
    // Markdown: a finished block, once shown, never changes; only the open tail does.
    for (let i = 1; i < renders.length; i++) {
      const [before, after] = [renders[i - 1].blocks, renders[i].blocks];
      assert.ok(after.length >= before.length, 'finished blocks are never taken away');
      before.forEach((html, j) => assert.equal(after[j], html, `block ${j} changed after it finished`));
    }
    assert.ok(renders.at(-1).blocks.length >= 3, 'the reply ends as several blocks');
    assert.equal(await panel.lastReply.locator('table').count(), 1, 'the agents table is a table');
    assert.equal(await panel.log.getAttribute('aria-busy'), 'false');
    await panel.sendButton.waitFor();
    await panel.screenshot('skeleton-reply');

    // A reply citing a bare URL (the simulator's, when no page is named) shows it as a link
    // that opens in a new tab, under the same policy as a written one.
    await panel.ask("Add a page to Support Bot's knowledge");
    const link = panel.lastReply.getByRole('link', { name: 'https://northwind-coffee.example/returns' });
    assert.equal(await link.getAttribute('href'), 'https://northwind-coffee.example/returns');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.match(await panel.lastReply.textContent(), /Which page should I add\?/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on a reply with a bare link');
    await link.hover();
    await panel.screenshot('bare-link-reply');
  } finally {
    await page.close();
    servers.stop();
  }
});

test('when the upstream is down the turn explains it and the message is kept', async () => {
  // Port 9 (discard) on loopback has no listener here: the gateway answers 502.
  const servers = await startServers({ upstream: 'http://127.0.0.1:9' });
  const page = await browser.newPage({ viewport: { width: 480, height: 720 } });
  try {
    const panel = new CopilotPanel(page);
    await panel.goto(servers.url);
    await panel.message.fill('release the number ending 4421');
    await panel.sendButton.click();
    await panel.waitForPhase('failed');
    const alert = panel.lastTurn.getByRole('alert');
    assert.match(await alert.textContent(), /Bad gateway/);
    assert.equal(await panel.message.inputValue(), 'release the number ending 4421');
    await panel.screenshot('skeleton-upstream-down');
  } finally {
    await page.close();
    servers.stop();
  }
});
