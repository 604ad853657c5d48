import { fakeStoreFactory, sqliteStoreFactory } from './contract-stores.js';
import { listStoreContract } from './list-store.contract.js';

listStoreContract('FakeListStore', fakeStoreFactory);
listStoreContract('SqliteListStore, no housekeeping (deltas pending, old snapshots kept)', sqliteStoreFactory('never'));
listStoreContract('SqliteListStore, housekeeping done', sqliteStoreFactory('all'));
listStoreContract('SqliteListStore, housekeeping partly done', sqliteStoreFactory('some'));
