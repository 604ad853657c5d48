import { FakeOutbox } from './fake-outbox.js';
import { outboxContract } from './outbox.contract.js';

outboxContract('FakeOutbox', (capacity) => new FakeOutbox(capacity));
