import { FakeServerStore } from './fake-server-store.js';
import { serverStoreContract } from './server-store.contract.js';

serverStoreContract('FakeServerStore', () => new FakeServerStore());
