/** `GET /admin/report-updates/whatif`: the whatif --json document for the same parameters; bad ones are 400s. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { openStore, type Store } from '../src/store/store.js';
import { cli, fixture, tempStore } from './helpers.js';

let db: string;
let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  db = tempStore();
  expect((await cli(['--db', db, 'ingest', fixture('anomalies', 'prediction-cap.log')])).code).toBe(0);
  store = await openStore(db);
  app = await buildApp({ db: store.db, config: await loadConfig(undefined, {}), now: () => Date.parse('2025-11-05T00:00:00+09:00') });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });
const window = ['--days', '1', '--until', '2025-11-05'];

describe('GET /admin/report-updates/whatif', () => {
  it('returns the whatif --json document for the same parameters', async () => {
    for (const [query, args] of [
      ['fix_prediction_cap=true', ['--fix-prediction-cap']],
      ['set=trading.ttlHours=3', ['--set', 'trading.ttlHours=3']],
      ['set=trading.ttlHours=3&set=after_hours.ttlHours=1&fix_prediction_cap=true', ['--set', 'trading.ttlHours=3', '--set', 'after_hours.ttlHours=1', '--fix-prediction-cap']],
      [`rules=${encodeURIComponent('{"trading":{"ttlHours":3}}')}`, ['--rules', fixture('whatif', 'trading-ttl-3h.json')]],
    ] as const) {
      const response = await get(`/admin/report-updates/whatif?days=1&until=2025-11-05&${query}`);
      expect(response.statusCode, query).toBe(200);
      expect(response.json()).toEqual((await cli(['--db', db, 'whatif', '--json', ...window, ...args])).json());
    }
  });

  it('answers 400 with the reason for what the command rejects with exit 2', async () => {
    for (const [query, message] of [
      ['set=tradng.ttlHours=3', /unknown phase 'tradng'/],
      ['set=trading.ttlHours=-1', /ttlHours must be positive/],
      ['set=trading.ttlHours=abc', /ttlHours must be a number/],
      [`rules=${encodeURIComponent('{"trading":{"ttlHours":-1}}')}`, /^query parameter rules: trading.ttlHours: /],
      ['rules=%7B', /^query parameter rules: /],
      ['', /nothing to replay/],
      ['days=31&fix_prediction_cap=true', /days/],
      ['fix_prediction_cap=maybe', /fix_prediction_cap/],
    ] as const) {
      const response = await get(`/admin/report-updates/whatif?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error, query).toMatch(message);
    }
  });

  it('is in the OpenAPI document with its parameters', async () => {
    const doc = (await get('/openapi.json')).json();
    const params = doc.paths['/admin/report-updates/whatif'].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(params).toEqual(['days', 'fix_prediction_cap', 'price_per_call', 'rules', 'set', 'since', 'until']);
  });
});
