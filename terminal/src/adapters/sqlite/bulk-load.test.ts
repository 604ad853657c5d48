import { describe, expect, it } from 'vitest';
import { tempDbPath } from './contract-stores.js';
import { bulkLoadSynthetic, syntheticEntry, syntheticToken } from './bulk-load.js';
import { openDeviceDb } from './open-device-db.js';
import { SqliteListStore } from './sqlite-list-store.js';

describe('bulkLoadSynthetic', () => {
  it('fills a list with reproducible entries that lookups find', () => {
    const dev = openDeviceDb(tempDbPath());
    const lists = new SqliteListStore(dev);
    expect(bulkLoadSynthetic(lists, { list: 'benefit', count: 5000, version: 1 }).count).toBe(5000);
    expect(lists.meta()[0]).toMatchObject({ list: 'benefit', version: 1, count: 5000 });
    expect(lists.lookup([syntheticToken(4321), syntheticToken(5000)], ['benefit'])).toEqual([syntheticEntry('benefit', 4321)]);
    bulkLoadSynthetic(lists, { list: 'benefit', count: 10, version: 2, seed: 'other' });
    expect(lists.lookup([syntheticToken(3)], ['benefit'])).toEqual([]);
    expect(dev.integrityCheck()).toEqual(['ok']);
    dev.close();
  });
});
