/** OSDP adapters: the control panel, its per-PD handle, Peripherals over OSDP, the serial line. */
export { OsdpControlPanel, type ControlPanelDeps } from './osdp-control-panel.js';
export type { ControlPanelOptions, PdOptions } from './cp-options.js';
export type { ControlPanelEvents, LinkSnapshot } from './cp-state.js';
export { OsdpDevice, BUZZ, type BuzzPattern, type LedPattern, type LedOptions } from './osdp-device.js';
export { OsdpPeripherals, DEFAULT_TURNSTILE, type OsdpPeripheralsOptions, type TurnstileMapping } from './osdp-peripherals.js';
export { SerialByteStream, type SerialByteStreamOptions } from './serial-byte-stream.js';
export { SystemScheduler, FakeScheduler, settle, sleep, type Scheduler } from './scheduler.js';
export { toDisplayAscii } from './translit.js';
