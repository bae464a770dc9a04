// Mounts two panels the way a dashboard would: the account's copilot, and Sales Assistant's
// copilot with the page's context. Everything the panels tell the host is kept in
// window.hostEvents for the tests.
import { init, mount } from '../package/index.js';

await init();

window.hostEvents = [];
const slots = {
  account: document.getElementById('account-copilot'),
  agent: document.getElementById('agent-copilot'),
};
for (const [name, element] of Object.entries(slots)) {
  for (const type of ['changes-applied', 'thread-changed', 'error']) {
    element.addEventListener(`flowyte-copilot:${type}`, (event) => {
      window.hostEvents.push({ panel: name, type, detail: event.detail });
    });
  }
}

window.panels = {
  account: mount(slots.account, { storageKey: 'host-account', theme: 'light', label: 'Account copilot' }),
  agent: mount(slots.agent, {
    storageKey: 'host-agent',
    label: 'Sales Assistant copilot',
    theme: 'dark',
    agentId: 'agt_0002',
    context: { page: 'agent-settings', agentId: 'agt_0002' },
  }),
};
try {
  mount(slots.account, { storageKey: 'host-account' });
} catch (error) {
  window.secondMountError = error.message;
}
document.body.dataset.ready = 'true';
