// Declarations of @flowyte/copilot/element (checked with index.d.ts by tests/package.rs).
import type { FlowyteCopilotEventMap, MountOptions } from './index.js';

/** The element's attributes, each setting the `mount` option of the same name. */
export type FlowyteCopilotAttribute = 'base' | 'agent-id' | 'theme' | 'storage-key' | 'label' | 'locale';

/** The options set by properties rather than attributes. */
export type FlowyteCopilotElementOptions = Omit<
  MountOptions,
  'base' | 'agentId' | 'theme' | 'storageKey' | 'label' | 'locale' | 'context'
>;

/** `<flowyte-copilot>`: mounts a panel while it is in the document. */
export declare class FlowyteCopilotElement extends HTMLElement {
  static readonly observedAttributes: FlowyteCopilotAttribute[];
  /** Page context sent with every request. Setting it while mounted mounts again. */
  context: Record<string, unknown> | undefined;
  /** The options attributes do not carry. Setting them while mounted mounts again. */
  options: FlowyteCopilotElementOptions;
  /** Whether a panel is mounted in the element. */
  readonly mounted: boolean;
  /** Why the last mount failed, or null. */
  readonly error: unknown;
  /** Hands the panel a renewed CSRF token of the host's session. */
  setCsrfToken(token: string): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: FlowyteCopilotElement, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'flowyte-copilot': FlowyteCopilotElement;
  }
}

export type { FlowyteCopilotEventMap };
