/** @rescard/terminal as a library: for scripts (demo, benches) and tests. */
export type { CardReader, CardSession } from './ports/card-reader.js';
export { FakeCardReader, type FakeCard } from './ports/fake-card-reader.js';
export { PcscCardReader, RESPONSE_MAX_BYTES } from './adapters/pcsc/pcsc-card-reader.js';
export { readCard, type ReadOptions } from './emv/read-card.js';
export { readCardSession, type CardRead, type ReadSessionDeps } from './emv/card-read.js';
export { withTransportRules, type Transmit } from './emv/transport.js';
export { redactResponse } from './emv/redact.js';
