import { fakeStoreFactory, sqliteStoreFactory } from './contract-stores.js';
import { listStoreContract } from './list-store.contract.js';

listStoreContract('FakeListStore', fakeStoreFactory);
listStoreContract('SqliteListStore', sqliteStoreFactory);
