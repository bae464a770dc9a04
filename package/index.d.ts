// Declarations of @flowyte/copilot. Kept by hand beside the Rust they describe, and checked
// against it: tests/package.rs fails when an option of MountOptions (src/embed.rs), an event
// (src/ui/host.rs) or a field of an event's detail is on one side only.

/** `mount`'s options. All are optional. */
export interface MountOptions {
  /** The gateway: "" (this page's origin, the default), a path, or an http(s) URL. */
  base?: string;
  /** The agent whose copilot answers: requests go to `/agents/{agentId}/assist`. */
  agentId?: string;
  /** Page context, sent with every request. */
  context?: Record<string, unknown>;
  /** Where the conversation's thread id is kept in localStorage; one per panel on a page. */
  storageKey?: string;
  /** "light", "dark" or "auto" (the default: the system's preference). */
  theme?: 'light' | 'dark' | 'auto';
  /** The header the CSRF token travels in (default "X-CSRF-Token"). */
  csrfHeader?: string;
  /** The CSRF token of a session the host holds (renew it with `setCsrfToken`). */
  csrfToken?: string;
  /** URL prefixes images in replies may load from (https:// or a path; default none). */
  imagePrefixes?: string[];
  /** The panel's name: its heading and its landmarks' name. */
  label?: string;
  /** Show who is signed in and a Sign out button (default true). */
  showAccount?: boolean;
  /** Focus the message box once mounted (default false). */
  autofocus?: boolean;
  /**
   * The panel's language, a BCP 47 tag: "de", "de-AT" → German; "en…" or a language the
   * panel lacks → English. Default: the element's closest `lang`, the page's `<html lang>`,
   * then `navigator.language`.
   */
  locale?: string;
}

/** A mounted panel. Dropping the handle does not unmount; only `unmount()` does. */
export declare class MountHandle {
  private constructor();
  free(): void;
  /** Takes the panel out and cancels a request in flight. A second call does nothing. */
  unmount(): void;
  /** Hands the panel a renewed CSRF token of the host's session. Throws on an empty token. */
  setCsrfToken(token: string): void;
  /** Whether the panel is still mounted. */
  readonly mounted: boolean;
}

/** One change the copilot applied to the account. */
export interface AppliedMutation {
  method: string;
  path: string;
  operationId?: string;
  summary?: string;
  body?: Record<string, unknown>;
}

/** `flowyte-copilot:thread-changed`: the conversation's thread (null after New conversation). */
export interface ThreadChangedDetail {
  threadId: string | null;
}

/** `flowyte-copilot:error`: a turn failed or was cut off, or a saved conversation was not restored. */
export interface ErrorDetail {
  title: string;
  detail: string | null;
  status: number | null;
  threadId: string | null;
}

/** Every event a panel dispatches, by name, with its `detail`. */
export interface FlowyteCopilotEventMap {
  'flowyte-copilot:changes-applied': CustomEvent<AppliedMutation[]>;
  'flowyte-copilot:thread-changed': CustomEvent<ThreadChangedDetail>;
  'flowyte-copilot:error': CustomEvent<ErrorDetail>;
}

export declare const EVENTS: {
  readonly changesApplied: 'flowyte-copilot:changes-applied';
  readonly threadChanged: 'flowyte-copilot:thread-changed';
  readonly error: 'flowyte-copilot:error';
};

/** What `init` accepts: where the wasm module is, or the module itself. */
export type WasmSource = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/** Loads the wasm module once (later calls share the promise). Await it before `mount`. */
export declare function init(wasm?: WasmSource | Promise<WasmSource>): Promise<void>;

/** Mounts a panel in `element`. Throws an Error naming the option when an option is bad. */
export declare function mount(element: HTMLElement, options?: MountOptions): MountHandle;

declare global {
  // Events bubble from the panel to its host element and on up (they are composed).
  interface HTMLElementEventMap extends FlowyteCopilotEventMap {}
}
