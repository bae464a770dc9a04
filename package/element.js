// <flowyte-copilot>: the panel as a custom element, for hosts of any framework. Importing this
// file defines it (once). The element mounts a panel with the package's `mount` when it is
// connected and unmounts it when it is disconnected; moving it in the DOM (a disconnect and a
// connect in one task) keeps the panel, its conversation and a reply still streaming.
import { init, mount } from './index.js';

/** The attributes, and the `mount` option each one sets. */
const ATTRIBUTES = {
  base: 'base',
  'agent-id': 'agentId',
  theme: 'theme',
  'storage-key': 'storageKey',
  label: 'label',
  locale: 'locale',
};

export class FlowyteCopilotElement extends HTMLElement {
  static observedAttributes = Object.keys(ATTRIBUTES);

  #handle = null;
  #context = undefined;
  #options = {};
  // Bumped by every mount request: a load that finishes after a newer one was asked is dropped.
  #generation = 0;
  #error = null;

  /** Page context sent with every request (an object). Setting it while mounted mounts again. */
  get context() {
    return this.#context;
  }
  set context(value) {
    this.#context = value ?? undefined;
    this.#remount();
  }

  /** The other `mount` options (csrfHeader, csrfToken, imagePrefixes, showAccount, autofocus). */
  get options() {
    return this.#options;
  }
  set options(value) {
    this.#options = { ...(value ?? {}) };
    this.#remount();
  }

  /** Whether a panel is mounted in the element. */
  get mounted() {
    return this.#handle?.mounted ?? false;
  }

  /** Why the last mount failed (a bad option, a storage key taken), or null. */
  get error() {
    return this.#error;
  }

  /** Hands the panel a renewed CSRF token of the host's session (see MountHandle). */
  setCsrfToken(token) {
    if (!this.#handle) throw new Error('setCsrfToken: the panel is not mounted');
    this.#handle.setCsrfToken(token);
    this.#options = { ...this.#options, csrfToken: token };
  }

  connectedCallback() {
    // Moved: the panel came along with the element.
    if (this.#handle) return;
    this.#mount();
  }

  disconnectedCallback() {
    // A move is a disconnect followed by a connect in the same task: wait for the microtask
    // checkpoint, and unmount only if the element is still out of the document.
    queueMicrotask(() => {
      if (!this.isConnected) this.#unmount();
    });
  }

  attributeChangedCallback(_name, old, value) {
    if (old !== value) this.#remount();
  }

  #mountOptions() {
    const options = { ...this.#options };
    for (const [attribute, option] of Object.entries(ATTRIBUTES)) {
      const value = this.getAttribute(attribute);
      if (value !== null) options[option] = value;
    }
    if (this.#context !== undefined) options.context = this.#context;
    return options;
  }

  #mount() {
    const generation = ++this.#generation;
    init().then(
      () => {
        if (generation !== this.#generation || !this.isConnected || this.#handle) return;
        try {
          this.#handle = mount(this, this.#mountOptions());
          this.#error = null;
        } catch (error) {
          this.#error = error;
          // A host's mistake (a bad option): said once, where the page's own errors go.
          reportError(error);
        }
      },
      (error) => {
        this.#error = error;
        reportError(error);
      },
    );
  }

  #unmount() {
    this.#generation++;
    this.#handle?.unmount();
    this.#handle = null;
  }

  #remount() {
    if (!this.isConnected) return;
    this.#unmount();
    this.#mount();
  }
}

if (!customElements.get('flowyte-copilot')) {
  customElements.define('flowyte-copilot', FlowyteCopilotElement);
}
