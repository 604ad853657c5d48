/** The fleet generator: simulated terminals speaking protocol v1 over MQTT (load and fault tests). */
export { Fleet, type FleetOptions } from './fleet.js';
export { FleetJournal } from './fleet-journal.js';
export { LatencySample, percentile, summarize, summaryLines, PER_DEVICE_MAX, type FleetSummary } from './fleet-report.js';
export { ListTracker, type SnapshotFetcher } from './list-tracker.js';
export { SendWindow, type SendWindowOptions } from './send-window.js';
export { checkServerCounts, discoverMqttUrl, type ServerAgreement } from './server-check.js';
export { SimFleetTerminal, type SimFleetTerminalOptions, type TerminalCounters } from './sim-fleet-terminal.js';
export { seededRandom, syntheticTap, syntheticToken, type FleetProfile } from './synthetic-tap.js';
