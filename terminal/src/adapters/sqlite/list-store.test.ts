import { fakeStoreFactory, sqliteStoreFactory } from './contract-stores.js';
import { listStoreContract } from './list-store.contract.js';

listStoreContract('FakeListStore', fakeStoreFactory);
listStoreContract('SqliteListStore, deltas pending', sqliteStoreFactory('never'));
listStoreContract('SqliteListStore, deltas folded', sqliteStoreFactory('all'));
listStoreContract('SqliteListStore, deltas partly folded', sqliteStoreFactory('some'));
