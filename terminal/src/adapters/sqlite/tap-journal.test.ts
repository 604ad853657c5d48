import { fakeStoreFactory, sqliteStoreFactory } from './contract-stores.js';
import { tapJournalContract } from './tap-journal.contract.js';

tapJournalContract('FakeTapJournal', fakeStoreFactory);
tapJournalContract('SqliteTapJournal', sqliteStoreFactory());
