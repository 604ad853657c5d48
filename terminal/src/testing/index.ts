/** Test and demo support (not part of the device runtime): `@rescard/terminal/testing`. */
export { buildDemoWorld, DEMO_CARDS, DEMO_ROUTE, type DemoWorld, type DemoWorldOptions } from './demo-world.js';
export { startDeviceFixture, type DeviceFixture, type DeviceFixtureOptions } from './device-fixture.js';
export { DeviceProcess, TERMINAL_MAIN, terminalCli } from './device-process.js';
export { openPtyPair, type PtyPair } from './socat-pty-pair.js';
export { GATEWAY_MAIN, SERVER_MAIN, adminApi, adminToken, startPortsProgram, writeGatewayConfig, type Ports } from './hop-processes.js';
