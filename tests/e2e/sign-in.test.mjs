// Sign-in end to end: the browser, the gateway as deployed (a config file, a real OpenID
// Provider — npm oidc-provider — with its own login form), the simulator behind it. An
// approver signs in and approves, and the audit log names her; a viewer finds Approve
// disabled; the signed-out panel has no accessibility violation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CopilotPanel,
  PEOPLE,
  axeViolations,
  confirmedRequests,
  launchBrowser,
  signInAtProvider,
  startServersWithSignIn,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function open(colorScheme = 'light') {
  const servers = await startServersWithSignIn();
  const page = await browser.newPage({ viewport: { width: 420, height: 800 }, colorScheme });
  const panel = new CopilotPanel(page);
  await panel.goto(servers.url);
  return {
    servers,
    page,
    panel,
    signInLink: page.getByRole('link', { name: 'Sign in' }),
    async close() {
      await page.close();
      servers.stop();
    },
  };
}

test('signed out, the panel offers a Sign in link and never leaves by itself; axe finds nothing', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, panel, servers, signInLink, close } = await open(colorScheme);
    try {
      await signInLink.waitFor();
      assert.equal(page.url(), `${servers.url}/`, 'still on the panel page');
      assert.equal(await signInLink.getAttribute('href'), '/login?returnTo=%2F');
      assert.match(await page.locator('.copilot-sign-in').textContent(), /Sign in to use the copilot/);
      assert.deepEqual(await axeViolations(page), [], `axe-core on the signed-out panel (${colorScheme})`);
      if (colorScheme === 'light') await panel.screenshot('signed-out');
    } finally {
      await close();
    }
  }
});

test('an approver signs in on the provider, keeps her draft, approves, and the audit names her', async () => {
  const { page, panel, servers, signInLink, close } = await open();
  try {
    await signInLink.waitFor();
    await panel.message.fill('release the number ending 4421');
    await signInLink.click();
    await page.waitForURL((url) => url.href.startsWith(servers.providerUrl));
    await signInAtProvider(page, PEOPLE.approver.login);
    await page.waitForURL(`${servers.url}/`);
    await panel.message.waitFor();
    assert.equal(await panel.message.inputValue(), 'release the number ending 4421', 'the draft came back');
    await page.locator('.copilot-account').waitFor();
    assert.match(await page.locator('.copilot-account').textContent(), /Signed in as Ana Approver/);
    assert.equal(await signInLink.count(), 0);

    await panel.message.press('Enter');
    await panel.waitForTurns();
    const card = panel.card(/Release \+1 415 555 4421/);
    await card.waitFor();
    await card.getByRole('button', { name: 'Release number' }).click();
    await page.locator('.approval-card[data-state=approved]').waitFor();
    await panel.waitForTurns();
    assert.equal((await confirmedRequests(servers)).length, 1);

    const approvals = servers.auditLines().filter((line) => line.confirmed);
    assert.equal(approvals.length, 1, JSON.stringify(servers.auditLines()));
    const [approval] = approvals;
    assert.equal(approval.sub, 'ana');
    assert.equal(approval.email, 'ana@northwind.example');
    assert.equal(approval.role, 'approver');
    assert.equal(approval.key, 'northwind');
    assert.equal(approval.status, 200);
    assert.equal(approval.outcome, 'completed');
    assert.equal(approval.confirmedItems.length, 1);
    assert.match(approval.confirmedItems[0].summary, /Release \+1 415 555 4421/);
    assert.equal(approval.confirmedItems[0].method, 'DELETE');
    await panel.screenshot('signed-in-approved');

    // Sign out: the session ends here and at the provider, which sends her back signed out.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href.startsWith(servers.providerUrl));
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${servers.url}/`);
    await signInLink.waitFor();
  } finally {
    await close();
  }
});

test('a viewer finds Approve disabled with the reason, and nothing is confirmed', async () => {
  const { page, panel, servers, signInLink, close } = await open();
  try {
    await signInLink.click();
    await signInAtProvider(page, PEOPLE.viewer.login);
    await page.waitForURL(`${servers.url}/`);
    await page.locator('.copilot-account').waitFor();
    assert.match(await page.locator('.copilot-account').textContent(), /Vic Viewer \(viewer\)/);
    await panel.ask('release the number ending 4421');
    const card = panel.card(/Release \+1 415 555 4421/);
    await card.waitFor();
    const approve = card.getByRole('button', { name: 'Release number' });
    assert.equal(await approve.isDisabled(), true);
    const reason = await approve.getAttribute('aria-describedby');
    assert.match(await page.locator(`#${reason}`).textContent(), /Only an approver can approve this/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core on the viewer card');
    await panel.screenshot('viewer-approval');
    assert.equal((await confirmedRequests(servers)).length, 0);
    assert.ok(servers.auditLines().every((line) => line.sub === 'vic' && !line.confirmed));
  } finally {
    await close();
  }
});

test('someone no rule names is refused with a page that says so, and gets no session', async () => {
  const { page, servers, signInLink, close } = await open();
  try {
    await signInLink.click();
    await signInAtProvider(page, PEOPLE.stranger.login);
    await page.waitForURL((url) => url.pathname === '/callback');
    assert.match(await page.locator('h1').textContent(), /No access/);
    assert.match(await page.locator('main').textContent(), /sam@elsewhere\.example may not use this copilot/);
    // The refusal page may run nothing (its CSP is default-src 'none'): ask with the page's
    // cookies from outside it.
    const session = await (await page.request.get(`${servers.url}/session`)).json();
    assert.equal(session.signedIn, false);
    assert.deepEqual(servers.auditLines(), []);
  } finally {
    await close();
  }
});
