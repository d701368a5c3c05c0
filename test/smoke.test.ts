import { describe, expect, it } from 'vitest';
import { cli, fixture, tempStore } from './helpers.js';

describe('ingest of the example day', () => {
  it('stores every report record once, and nothing on a second run', async () => {
    const db = tempStore();
    const first = await cli(['--db', db, 'ingest', '--json', fixture('logs', 'day.log')]);
    expect(first.code).toBe(0);
    expect(first.json().records_added).toBe(63);
    const again = await cli(['--db', db, 'ingest', '--json', fixture('logs', 'day.log')]);
    expect(again.json().records_added).toBe(0);
  });
});
