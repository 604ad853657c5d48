/** The device side of the device PKI (ADR 0007): enrolment and certificate renewal. */
export * from './device-key.js';
export * from './enrol-client.js';
export * from './renew-client.js';
export * from './renewal-timer.js';
export * from './enrol-device.js';
