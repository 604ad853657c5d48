/** The simulated OSDP turnstile (test equipment): PD protocol engine, device model, own codec. */
export { SimPd, type SimPdOptions } from './sim-pd.js';
export { realTimers, type SimLine, type SimTimers, type SimDevice } from './sim-ports.js';
export type { SimFaults } from './pd-faults.js';
export { SimTurnstile, type SimTurnstileOptions } from './sim-turnstile.js';
export { openSimSerialLine, type SimSerialLine } from './sim-serial-line.js';
export { PacketReader, parsePacket, crc16 as simCrc16, type Packet } from './pd-wire.js';
