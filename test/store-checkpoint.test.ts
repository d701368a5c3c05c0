/**
 * The checkpoint is moved by compare-and-set: two ingests that read the same checkpoint cannot
 * both commit the records after it. The loser learns it (false) and nothing of its move is stored;
 * ingest then rolls its batch back and reads on from the winner's checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.js';
import { advanceCheckpoint, allSources, sourceById } from '../src/store/writes.js';
import { cli, fixture, tempStore } from './helpers.js';

describe('moving a checkpoint', () => {
  let store: Store;
  beforeAll(async () => {
    const db = tempStore();
    expect((await cli(['--db', db, 'ingest', fixture('logs', 'day.log')])).code).toBe(0);
    store = await openStore(db);
  });
  afterAll(async () => store?.close());

  it('moves it only from the offset the mover read, and says whether it did', async () => {
    const [source] = await allSources(store.db);
    expect(source.byte_offset).toBeGreaterThan(0);
    const { id, host, created_at, ...fields } = source;
    // Another ingest read the checkpoint at 0 and would now store its copy of the same records.
    expect(await advanceCheckpoint(store.db, id, 0, { ...fields, byte_offset: 10, lines: 1 })).toBe(false);
    expect(await sourceById(store.db, id)).toEqual(source);
    // The one that read the current offset moves it.
    expect(await advanceCheckpoint(store.db, id, source.byte_offset, { ...fields, lines: fields.lines + 1 })).toBe(true);
    expect((await sourceById(store.db, id))!.lines).toBe(source.lines + 1);
    expect([host, created_at]).toEqual([source.host, source.created_at]);
  });
});
