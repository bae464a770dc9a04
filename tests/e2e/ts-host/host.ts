// A dashboard written in TypeScript, as its engineers would write it against the package:
// one panel mounted with `mount`, one `<flowyte-copilot>` element, both typed. The e2e
// (tests/e2e/package.test.mjs) type-checks it with `tsc --noEmit`, then compiles and runs it.
import { EVENTS, init, mount, type AppliedMutation, type MountHandle, type MountOptions } from '@flowyte/copilot';
import type { FlowyteCopilotElement } from '@flowyte/copilot/element';
import '@flowyte/copilot/element';

/** What the dashboard heard, for the test to read. */
interface Heard {
  panel: 'mounted' | 'element';
  type: 'changes-applied' | 'thread-changed' | 'error';
  detail: unknown;
}

declare global {
  interface Window {
    heard: Heard[];
    panel: MountHandle;
    refreshedAgents: string[];
  }
}

window.heard = [];
window.refreshedAgents = [];

function listen(panel: Heard['panel'], element: HTMLElement): void {
  element.addEventListener('flowyte-copilot:changes-applied', (event) => {
    // The detail is typed: the turn's applied mutations.
    const mutations: AppliedMutation[] = event.detail;
    window.refreshedAgents.push(...mutations.filter((m) => m.path.startsWith('/agents')).map((m) => `${m.method} ${m.path}`));
    window.heard.push({ panel, type: 'changes-applied', detail: mutations });
  });
  element.addEventListener(EVENTS.threadChanged, (event) => {
    const threadId: string | null = event.detail.threadId;
    window.heard.push({ panel, type: 'thread-changed', detail: { threadId } });
  });
  element.addEventListener('flowyte-copilot:error', (event) => {
    window.heard.push({ panel, type: 'error', detail: event.detail });
  });
}

await init();

const slot = document.getElementById('mounted');
if (!slot) throw new Error('the page has no #mounted');
listen('mounted', slot);
const options: MountOptions = {
  storageKey: 'ts-mounted',
  theme: 'dark',
  label: 'Mounted copilot',
  context: { page: 'agents' },
  showAccount: true,
};
window.panel = mount(slot, options);

const element: FlowyteCopilotElement = document.createElement('flowyte-copilot');
element.setAttribute('storage-key', 'ts-element');
element.setAttribute('label', 'Element copilot');
element.setAttribute('agent-id', 'agt_0002');
element.context = { page: 'agent-settings', agentId: 'agt_0002' };
element.options = { showAccount: false };
listen('element', element);
document.getElementById('element-slot')?.append(element);

document.body.dataset.ready = 'true';
