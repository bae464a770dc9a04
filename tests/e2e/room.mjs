// The panel's room at side-panel size: how much of its height the conversation keeps in each
// state a person reaches (changes applied, approvals waiting, approvals settled, after a
// reload). Used by room.test.mjs; `node tests/e2e/room.mjs [dist] [shots]` prints the shares for
// any build, and with a name for `shots` keeps a screenshot of each state.
import path from 'node:path';
import { CopilotPanel, launchBrowser, outputDir, startServers } from './support.mjs';

/** The panel sizes of a dashboard's side panel: the usual one and the narrowest. */
export const SIZES = [
  { width: 420, height: 800 },
  { width: 320, height: 640 },
];

/** The conversation log's share of the panel's height (0–1). */
export function conversationShare(page) {
  return page.evaluate(() => {
    const panel = document.querySelector('.copilot').getBoundingClientRect();
    const log = document.querySelector('.copilot [role=log]').getBoundingClientRect();
    return log.height / panel.height;
  });
}

/** Three changes applied in three turns (a create, an update, an assignment). */
export const CHANGES = [
  'add an order-lookup skill to Support Bot',
  'rename After-hours Line to “Night Line”',
  'assign the number ending 7730 to Wholesale Intake',
];

/** Two approvals waiting: a publish, then a reversible unassignment. */
export const APPROVALS = [
  { ask: 'publish Support Bot', card: /Publish the draft of Support Bot/ },
  { ask: 'unassign the number ending 0188', card: /Unassign \+1 415 555 0188/ },
];

/**
 * Walks one panel through the states, calling `at(state)` in each: `changes applied`,
 * `approvals waiting`, `approvals settled` (one approved, one rejected), `after reload`.
 */
export async function walkStates(panel, at) {
  for (const message of CHANGES) await panel.ask(message);
  await at('changes applied');
  for (const { ask } of APPROVALS) await panel.ask(ask);
  await panel.page.getByRole('article', { name: APPROVALS[1].card }).waitFor();
  await at('approvals waiting');
  const [first, second] = APPROVALS.map(({ card }) => panel.page.getByRole('article', { name: card }));
  await second.getByRole('button', { name: 'Approve' }).click();
  await panel.page.locator('.approval-card[data-state=approved]').waitFor();
  await panel.waitForTurns();
  // (A panel that expires cards on every new message left nothing to reject.)
  const reject = first.getByRole('button', { name: 'Reject' });
  if (await reject.count()) {
    await reject.click();
    await panel.page.locator('.approval-card[data-state=rejected]').waitFor();
  }
  await at('approvals settled');
  await panel.page.reload();
  await panel.message.waitFor();
  await panel.page.locator('.turn').nth(CHANGES.length + APPROVALS.length - 1).waitFor();
  await panel.waitForTurns();
  await at('after reload');
}

/**
 * The conversation's share in every state at every size: `{ "420×800": { state: share } }`.
 * With `shots`, a screenshot of each state lands in tests/e2e/output/ as
 * `{shots}-{width}x{height}-{state}.png`.
 */
export async function measureRoom(browser, { dist, shots } = {}) {
  const out = {};
  for (const size of SIZES) {
    const servers = await startServers({ paceMs: 0, dist });
    const page = await browser.newPage({ viewport: size });
    try {
      const panel = new CopilotPanel(page);
      await panel.goto(servers.url);
      const shares = {};
      await walkStates(panel, async (state) => {
        shares[state] = await conversationShare(page);
        if (shots) {
          const name = `${shots}-${size.width}x${size.height}-${state.replaceAll(' ', '-')}.png`;
          await page.screenshot({ path: path.join(outputDir, name) });
        }
      });
      out[`${size.width}×${size.height}`] = shares;
    } finally {
      await page.close();
      servers.stop();
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const browser = await launchBrowser();
  try {
    const room = await measureRoom(browser, { dist: process.argv[2], shots: process.argv[3] });
    for (const [size, shares] of Object.entries(room)) {
      for (const [state, share] of Object.entries(shares)) {
        console.log(`${size}  ${state.padEnd(18)} ${(share * 100).toFixed(0)} %`);
      }
    }
  } finally {
    await browser.close();
  }
}
