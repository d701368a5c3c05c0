import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastCompletionsBefore } from '../src/analysis/attempts.js';
import { openStore } from '../src/store/store.js';
import { cli, tempDir } from './helpers.js';

const SERVICE = 'backend.services.stock_analysis_service';
const line = (time: string, message: string) => `${time},000 - ${SERVICE} - INFO - ${message}`;
/** One succeeded forced update of `code`, started at `time` (KST) and completed 10 s later. */
const update = (day: string, clock: string, code: string) => [
  line(`${day} ${clock}:00`, `종목 ${code} 업데이트 시작: 강제 업데이트 또는 리포트 없음`),
  line(`${day} ${clock}:10`, `종목 ${code}의 분석 요약 업데이트 완료`),
];

describe("each stock's latest completion before a time (report state at a window's start)", () => {
  it('is found however long ago it was: a day, exactly a week, more than a week, or never', async () => {
    const log = path.join(tempDir(), 'backend.log');
    fs.writeFileSync(
      log,
      [
        ...update('2025-10-01', '10:00', '000660'), // 34 days before: found in its whole history
        ...update('2025-10-20', '10:00', '000660'), // 15 days before: the latest of 000660
        ...update('2025-10-28', '08:59', '005930'), // completes a week and a minute before
        ...update('2025-10-28', '09:00', '035720'), // completes at 09:00:10, exactly one week before
        ...update('2025-11-03', '12:00', '005380'), // a day before
        ...update('2025-11-03', '12:00', '005380').map((l) => l.replace('2025-11-03', '2025-11-04')), // after: not counted
        ...update('2025-11-05', '12:00', '000270'), // only after: no completion before
        '',
      ].join('\n'),
    );
    const db = path.join(tempDir(), 'store.db');
    expect((await cli(['--db', db, 'ingest', log])).code).toBe(0);
    const store = await openStore(db);
    try {
      const before = Date.parse('2025-11-04T09:00:10+09:00');
      const found = await lastCompletionsBefore(store.db, before);
      const iso = (ms: number) => new Date(ms).toISOString();
      expect(Object.fromEntries([...found.values()].map((c) => [c.stockCode, iso(c.completedTs)]))).toEqual({
        '000660': '2025-10-20T01:00:10.000Z',
        '005930': '2025-10-27T23:59:10.000Z',
        '035720': '2025-10-28T00:00:10.000Z',
        '005380': '2025-11-03T03:00:10.000Z',
      });
    } finally {
      await store.close();
    }
  });
});

describe('the stocks looked up in their whole history', () => {
  it('are every stock of every host, letters in codes included, each found however old its completion', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'store.db');
    // Two hosts, each with stocks whose only completion is weeks old, and one with a recent one.
    const logs: [string, string[]][] = [
      ['host-a', [...update('2025-09-01', '10:00', '0088M0'), ...update('2025-10-02', '10:00', '005930'), ...update('2025-11-03', '10:00', '000660')]],
      ['host-b', [...update('2025-09-15', '11:00', '005930'), ...update('2025-08-01', '09:30', '00104K')]],
    ];
    for (const [host, lines] of logs) {
      const log = path.join(dir, `${host}.log`);
      fs.writeFileSync(log, [...lines, ''].join('\n'));
      expect((await cli(['--db', db, 'ingest', '--source-host', host, log])).code).toBe(0);
    }
    const store = await openStore(db);
    try {
      const found = await lastCompletionsBefore(store.db, Date.parse('2025-11-04T00:00:00+09:00'));
      const iso = (ms: number) => new Date(ms).toISOString();
      expect(Object.fromEntries([...found.entries()].map(([key, c]) => [key.replace('\u0000', ' '), `${c.host} ${c.stockCode} ${iso(c.completedTs)}`]))).toEqual({
        'host-a 0088M0': 'host-a 0088M0 2025-09-01T01:00:10.000Z',
        'host-a 005930': 'host-a 005930 2025-10-02T01:00:10.000Z',
        'host-a 000660': 'host-a 000660 2025-11-03T01:00:10.000Z',
        'host-b 005930': 'host-b 005930 2025-09-15T02:00:10.000Z',
        'host-b 00104K': 'host-b 00104K 2025-08-01T00:30:10.000Z',
      });
    } finally {
      await store.close();
    }
  });
});
