// @flowyte/copilot: the Flowyte copilot panel as a module a dashboard imports.
//
//   import { init, mount } from "@flowyte/copilot";
//   import "@flowyte/copilot/panel.css";
//   await init();
//   const panel = mount(element, { agentId: "agt_0001" });
//
// `mount` is the wasm module's own (src/embed.rs); this file only loads the module once.
import load, { mount as wasmMount, MountHandle } from './flowyte-copilot.js';

/** The event names a panel dispatches on its root (they bubble to the host element). */
export const EVENTS = Object.freeze({
  changesApplied: 'flowyte-copilot:changes-applied',
  threadChanged: 'flowyte-copilot:thread-changed',
  error: 'flowyte-copilot:error',
});

let loading;
let loaded = false;

/**
 * Loads and starts the wasm module, once: later calls return the same promise. `wasm` is where
 * the module is (default: `flowyte-copilot_bg.wasm` beside this file).
 */
export function init(wasm) {
  loading ??= load(wasm === undefined ? undefined : { module_or_path: wasm }).then(() => {
    loaded = true;
  });
  return loading;
}

/** Mounts a panel in `element` (after `init()` resolved); see the options in index.d.ts. */
export function mount(element, options) {
  if (!loaded) throw new Error('mount: the module is not loaded yet; await init() first');
  return wasmMount(element, options);
}

export { MountHandle };
