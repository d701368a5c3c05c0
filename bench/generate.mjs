/**
 * Generates a realistic craveny backend log (../shared/backend-logs.md) of any size, and says what
 * it wrote: the report records by kind, the attempts by outcome, the look-alike lines.
 *
 * A day is simulated rather than sampled: 40 stocks get news (new predictions), page views
 * (decisions by TTL, price move, direction change or a skip with the report's real age) and the
 * scheduler's forced runs at 09:15, 13:00 and 15:40 on weekdays. Generations never overlap, as
 * in the backend. Everything else is noise from other modules, filling the byte budget: uvicorn
 * access lines without timestamps, apscheduler, httpx, SQLAlchemy, crawlers whose Korean news
 * titles contain look-alike words (업데이트 시작, 리포트 생성 실패, …), and tracebacks.
 *
 *   node bench/generate.mjs --size 300MB --days 30 --stocks 40 --start 2025-10-06 --out bench/out/backend.log
 */
import fs from 'node:fs';
import path from 'node:path';

const SERVICE = 'backend.services.stock_analysis_service';
const GENERATOR = 'backend.llm.investment_report';
const SAVER = 'backend.crawlers.news_saver';
const SCHEDULER = 'backend.scheduler.crawler_scheduler';

const NAMES = [
  '삼성전자', 'SK하이닉스', 'LG에너지솔루션', '삼성바이오로직스', '현대차', '기아', '셀트리온', 'POSCO홀딩스', 'NAVER', '카카오',
  'LG화학', '삼성SDI', 'KB금융', '신한지주', '현대모비스', '삼성물산', 'SK이노베이션', 'LG전자', '한국전력', '카카오뱅크',
  '하나금융지주', '삼성생명', 'SK텔레콤', 'KT', '크래프톤', '엔씨소프트', '넷마블', '아모레퍼시픽', 'HMM', '대한항공',
  '두산에너빌리티', '한화에어로스페이스', 'LG', 'SK', '고려아연', '포스코퓨처엠', '에코프로비엠', '에코프로', '알테오젠', 'HLB',
];
const BASE_CODES = [
  '005930', '000660', '373220', '207940', '005380', '000270', '068270', '005490', '035420', '035720',
  '051910', '006400', '105560', '055550', '012330', '028260', '096770', '066570', '015760', '323410',
  '086790', '032830', '017670', '030200', '259960', '036570', '251270', '090430', '011200', '003490',
  '034020', '012450', '003550', '034730', '010130', '003670', '247540', '086520', '196170', '028300',
];
/** A listed code that has no predictions yet: its page views log 예측 데이터가 없습니다. */
const NO_PREDICTION_CODE = '450080';

const PHRASES = [
  '3분기 영업이익 시장 기대 상회', '외국인 순매수 8거래일째', '신제품 출시 앞두고 강세', '목표주가 상향…"저평가 구간"',
  '반도체 업황 회복 신호', '배당 확대 발표', '자사주 소각 결정', '노조 파업 우려에 약세', '해외 수주 1조원 돌파',
  '공매도 재개 영향 주목', '실적 발표 앞두고 관망세', '美 관세 이슈에 변동성 확대', 'AI 서버 수요 급증 수혜',
  // Look-alikes: free news text with the service's words in it.
  '앱 업데이트 시작…사용자 불만 잇따라', 'OTA 업데이트 시작 차량 50만대', '투자 리포트 생성 시작한 증권가 "매수"',
  '리포트 생성 실패 논란 증권사 해명', '분석 요약 업데이트 완료 후 급등', '펌웨어 업데이트 시작 시점 연기',
];
const LOOKALIKE_PHRASES = new Set(PHRASES.slice(13));
const RECOMMENDATIONS = ['매수', '보유', '매도', '적극 매수'];
const PATHS = ['/api/stocks/{c}', '/api/stocks/{c}/predictions', '/api/stocks/{c}/summary', '/api/news?stock_code={c}&page=1', '/health', '/api/market/indices'];
const UA_IPS = ['127.0.0.1', '10.0.0.12', '10.0.0.37', '172.18.0.5'];
const JOBS = ['crawl_news', 'crawl_prices', 'update_predictions', 'cleanup_cache'];
const NEWS_HOSTS = ['n.news.naver.com', 'www.hankyung.com', 'www.mk.co.kr', 'biz.chosun.com', 'www.yna.co.kr'];

/** Phases by the KST clock, with TTL hours (backend/utils/market_time.py). */
function phaseAt(minute) {
  if (minute < 540) return ['pre_market', 3];
  if (minute < 570) return ['market_open', 1];
  if (minute < 930) return ['trading', 2];
  if (minute < 936) return ['market_close', 1];
  return ['after_hours', 6];
}
const OPEN_PHASES = new Set(['market_open', 'trading', 'market_close']);
const PRICE_THRESHOLD = { market_open: 5, trading: 3, market_close: 5 };
const DIRECTION_THRESHOLD = { pre_market: 20, market_open: 15, trading: 15, market_close: 15, after_hours: 20 };

const pad = (n, w = 2) => String(n).padStart(w, '0');
const HMS = Array.from({ length: 86_400 }, (_, s) => `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`);
const MS3 = Array.from({ length: 1000 }, (_, i) => pad(i, 3));

const KINDS = [
  'attempt', 'skip', 'generation_call', 'update_succeeded', 'report_failed', 'update_failed',
  'no_predictions', 'llm_cost', 'generation_started', 'generation_done', 'generation_failed',
];

/** Sizes like 300MB, 1GB, 512k, or a plain number of bytes. */
export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?$/i.exec(String(text).trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  return Math.round(Number(m[1]) * { b: 1, k: 1 << 10, m: 1 << 20, g: 1 << 30 }[unit]);
}

/**
 * A seed made of several numbers (the log's seed, a day, an event's place), for twin logs: each day's
 * schedule and each event's draws get a random stream of their own.
 */
function mix(...keys) {
  let h = 0x811c9dc5;
  for (const k of keys) {
    h = Math.imul(h ^ (k >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function emptyCounts() {
  return {
    bytes: 0,
    lines: 0,
    days: 0,
    records: Object.fromEntries(KINDS.map((k) => [k, 0])),
    records_total: 0,
    attempts: { total: 0, succeeded: 0, failed: 0, abandoned: 0 },
    reasons: { new_prediction: 0, ttl_expired: 0, price_move: 0, direction_change: 0, forced: 0 },
    llm_cost_lines: 0,
    lookalikes: 0,
    /** Lines containing 업데이트 시작 (what grep -c -F '업데이트 시작' counts). */
    grep_update_start: 0,
    first_day: null,
    last_day: null,
  };
}

/**
 * Writes the log and returns its counts. Options: file, size (bytes; the noise fills what the
 * report lines leave), days, stocks, start (YYYY-MM-DD, a KST day), seed, llmCost (log
 * [LLM_COST] lines), append (add to an existing file), ttlHours ({phase: hours}: a twin log, the
 * seed's traffic under these TTLs).
 */
export function generateLog(options) {
  const { file, append = false } = options;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const fd = fs.openSync(file, append ? 'a' : 'w');
  const counts = emptyCounts();
  try {
    for (const chunk of generate(options, counts)) {
      const buf = Buffer.from(chunk);
      counts.bytes += buf.length;
      fs.writeSync(fd, buf);
    }
  } finally {
    fs.closeSync(fd);
  }
  return counts;
}

/** Yields the log as strings of about 1 MB; fills `counts` as it goes. */
export function* generate(options, counts = emptyCounts()) {
  const days = options.days ?? 30;
  const stockCount = Math.min(options.stocks ?? 40, BASE_CODES.length);
  const size = options.size ?? 300 * (1 << 20);
  const llmCost = options.llmCost ?? true;
  const seed = options.seed ?? 1;
  // Twin logs (options.ttlHours given, even {}): the same traffic under another TTL table. Each
  // day's schedule and each event's draws (its price move, its generation's length and outcome)
  // then come from a stream of their own, so two runs of one seed differ only where the rules do.
  const ttlHours = options.ttlHours ?? {};
  const twin = options.ttlHours !== undefined;
  const shared = mulberry32(seed);
  const own = (...keys) => (twin ? mulberry32(mix(seed, ...keys)) : shared);
  let rand = shared;
  const startMs = Date.parse(`${options.start ?? '2025-10-06'}T00:00:00Z`);
  const stocks = BASE_CODES.slice(0, stockCount).map((code, i) => ({
    code,
    name: NAMES[i],
    completed: null, // ms (absolute naive) of the last success
    predictions: 3 + Math.floor(rand() * 10),
    upRatio: 0.5,
  }));
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const budgetPerDay = size / days;

  let out = [];
  let outLen = 0;
  let date = '';
  const ts = (ms) => {
    const s = Math.floor(ms / 1000);
    return `${date} ${HMS[Math.min(s, 86_399)]},${MS3[ms % 1000]}`;
  };
  const line = (text) => {
    out.push(text);
    outLen += text.length;
    counts.lines += 1;
  };
  const log = (ms, logger, level, message) => line(`${ts(ms)} - ${logger} - ${level} - ${message}`);
  const record = (ms, logger, level, kind, message) => {
    log(ms, logger, level, message);
    counts.records[kind] += 1;
    counts.records_total += 1;
    if (message.includes('업데이트 시작')) counts.grep_update_start += 1;
  };
  const lookalike = (ms, logger, level, message) => {
    log(ms, logger, level, message);
    counts.lookalikes += 1;
    if (message.includes('업데이트 시작')) counts.grep_update_start += 1;
  };
  const traceback = (frames, last) => {
    line('Traceback (most recent call last):');
    for (const [file, no, fn, code] of frames) {
      line(`  File "${file}", line ${no}, in ${fn}`);
      line(`    ${code}`);
    }
    line(last);
  };

  for (let day = 0; day < days; day++) {
    const dayMs = startMs + day * 86_400_000;
    date = new Date(dayMs).toISOString().slice(0, 10);
    counts.first_day ??= date;
    counts.last_day = date;
    counts.days += 1;
    const weekday = new Date(dayMs).getUTCDay() % 6 !== 0;
    rand = own(day);
    const abMode = rand() < 0.3; // the A/B switch of the backend's config, per day
    const stormDay = rand() < 0.15; // a stock past 20 predictions: trigger 2 on every view
    const absolute = (ms) => dayMs + ms;

    // Decisions of the day, by wanted start; run one after another (generations never overlap).
    const events = [];
    for (const run of weekday ? [[9, 15], [13, 0], [15, 40]] : []) events.push({ at: (run[0] * 60 + run[1]) * 60_000, type: 'forced' });
    for (const s of stocks) {
      const news = weekday ? 2 + Math.floor(rand() * 4) : Math.floor(rand() * 3);
      for (let i = 0; i < news; i++) events.push({ at: dayTime(rand), type: 'news', stock: s });
      const views = 6 + Math.floor(rand() * 12);
      for (let i = 0; i < views; i++) events.push({ at: Math.floor(rand() * 86_000_000), type: 'view', stock: s });
    }
    for (let i = 0; i < 4; i++) events.push({ at: dayTime(rand), type: 'no_predictions' });
    if (stormDay) {
      const s = pick(stocks);
      const from = (10 + Math.floor(rand() * 8)) * 3_600_000;
      for (let i = 0; i < 12; i++) events.push({ at: from + i * 240_000 + Math.floor(rand() * 60_000), type: 'storm', stock: s });
    }
    if (rand() < 0.1) events.push({ at: (20 + Math.floor(rand() * 3)) * 3_600_000, type: 'abandon', stock: pick(stocks) });
    events.sort((a, b) => a.at - b.at);
    rand = shared;

    // The noise rate that fills the day's byte budget around the report lines (about 120 bytes each).
    const reportEstimate = events.length * 330;
    const noiseLines = Math.max(300, (budgetPerDay - reportEstimate) / 140);
    const gap = 86_400_000 / noiseLines;

    let cursor = 0;
    let noiseAt = 0;
    let ev = 0;
    const noise = (ms) => noiseLine(ms, { log, line, lookalike, traceback, rand, pick, stocks, ts });

    const attempt = (t, s, reasonText) => {
      const minute = Math.floor(t / 60_000);
      const [phase] = phaseAt(minute);
      counts.attempts.total += 1;
      counts.reasons[reasonKey(reasonText)] += 1;
      record(t, SERVICE, 'INFO', 'attempt', `종목 ${s.code} 업데이트 시작: ${reasonText}`);
      if (llmCost) {
        record(t + 10, SERVICE, 'INFO', 'llm_cost', `[LLM_COST] 리포트 생성: 종목=${s.code}, 시장단계=${phase}, 사유=${reasonText}, 예측개수=${s.predictions}, 비용예상=$0.001`);
        counts.llm_cost_lines += 1;
      }
      record(t + 20, SERVICE, 'INFO', 'generation_call', `종목 ${s.code}에 대한 투자 리포트 생성 시작...`);
      const n = Math.min(s.predictions, 20);
      if (abMode) record(t + 30, GENERATOR, 'INFO', 'generation_started', `A/B 종합 리포트 생성: ${s.code} (${n}건 분석) - 병렬 호출`);
      else record(t + 30, GENERATOR, 'INFO', 'generation_started', `투자 리포트 생성 시작: ${s.code} (${n}건 분석)`);
      log(t + 400 + Math.floor(rand() * 300), 'httpx', 'INFO', 'HTTP Request: POST https://api.openai.com/v1/chat/completions "HTTP/1.1 200 OK"');
      const end = t + 4000 + Math.floor(rand() * (abMode ? 20_000 : 10_000));
      const roll = rand();
      if (roll < 0.03) {
        // The generation failed.
        counts.attempts.failed += 1;
        if (abMode) {
          record(end, GENERATOR, 'ERROR', 'generation_failed', 'A/B 종합 리포트 실패: Request timed out.');
          traceback([['/app/backend/llm/investment_report.py', 301, 'generate_ab_report', 'results = await asyncio.gather(*tasks)']], 'openai.APITimeoutError: Request timed out.');
          // The A/B defect: a completion after a failed generation.
          record(end + 80, SERVICE, 'INFO', 'update_succeeded', `종목 ${s.code}의 A/B 분석 요약 업데이트 완료`);
        } else {
          record(end, GENERATOR, 'ERROR', 'generation_failed', '투자 리포트 생성 실패: Request timed out.');
          traceback(
            [
              ['/app/backend/llm/investment_report.py', 212, 'generate_report', 'response = self.client.chat.completions.create('],
              ['/usr/local/lib/python3.11/site-packages/openai/_base_client.py', 1012, 'request', 'raise APITimeoutError(request=request) from err'],
            ],
            'openai.APITimeoutError: Request timed out.',
          );
          record(end + 70, SERVICE, 'WARNING', 'report_failed', `종목 ${s.code}의 리포트 생성 실패`);
        }
        // The scheduler hears of a failure only when the service returns none (not the A/B defect).
        return { end: end + 100, ok: abMode };
      }
      if (abMode) record(end, GENERATOR, 'INFO', 'generation_done', `A/B 종합 리포트 완료: ${s.code} - 추천 일치: ${rand() < 0.8 ? 'True' : 'False'}`);
      else record(end, GENERATOR, 'INFO', 'generation_done', `투자 리포트 생성 완료: ${s.code} (추천: ${pick(RECOMMENDATIONS)})`);
      if (roll < 0.04) {
        counts.attempts.failed += 1;
        record(end + 100, SERVICE, 'ERROR', 'update_failed', `종목 ${s.code}의 분석 요약 업데이트 실패: (psycopg2.OperationalError) server closed the connection unexpectedly`);
        traceback(
          [['/app/backend/services/stock_analysis_service.py', 388, 'update_stock_analysis_summary', 'db.commit()']],
          'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly',
        );
        return { end: end + 200, ok: false };
      }
      counts.attempts.succeeded += 1;
      const done = abMode ? (rand() < 0.9 ? 'A/B 분석 요약 업데이트 완료' : 'A/B 분석 요약 생성 완료') : rand() < 0.97 ? '분석 요약 업데이트 완료' : '분석 요약 신규 생성 완료';
      record(end + 100, SERVICE, 'INFO', 'update_succeeded', `종목 ${s.code}의 ${done}`);
      s.completed = absolute(end + 100);
      return { end: end + 200, ok: true };
    };

    const decide = (t, s) => {
      // One call of update_stock_analysis_summary for a page view: rules 3–6 in the backend's order.
      const minute = Math.floor(t / 60_000);
      const [phase, defaultTtl] = phaseAt(minute);
      const ttl = ttlHours[phase] ?? defaultTtl;
      const age = s.completed === null ? null : (absolute(t) - s.completed) / 3_600_000;
      if (age === null) return attempt(t, s, '강제 업데이트 또는 리포트 없음').end;
      if (age >= ttl) {
        return attempt(t, s, `시장 단계별 TTL 초과 (${phase}: ${age.toFixed(1)}h > ${ttl}h)`).end;
      }
      if (OPEN_PHASES.has(phase) && rand() < 0.06) {
        const th = PRICE_THRESHOLD[phase];
        const rate = (th + rand() * 3) * (rand() < 0.5 ? -1 : 1);
        return attempt(t, s, `주가 급변 (${rate.toFixed(1)}%, 임계값: ${th.toFixed(1)}%, 시장: ${phase})`).end;
      }
      if (rand() < 0.02) {
        const th = DIRECTION_THRESHOLD[phase];
        const before = s.upRatio * 100;
        const after = Math.min(100, before + th + rand() * 10);
        s.upRatio = after / 100 > 0.9 ? 0.3 : after / 100;
        return attempt(t, s, `예측 방향 급변 (상승 비율: ${before.toFixed(1)}% → ${after.toFixed(1)}%, 변화: ${(after - before).toFixed(1)}%, 임계값: ${th.toFixed(1)}%, 시장: ${phase})`).end;
      }
      record(t, SERVICE, 'INFO', 'skip', `종목 ${s.code}의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: ${phase}, 경과: ${age.toFixed(1)}h/${ttl}h))`);
      return t + 5;
    };

    const run = (e, t) => {
      switch (e.type) {
        case 'forced': {
          lookalike(t, SCHEDULER, 'INFO', `🔄 리포트 강제 업데이트 시작 (${stocks.length}개 종목)`);
          let at = t + 100;
          const failed = [];
          for (const s of stocks) {
            const r = attempt(at, s, '강제 업데이트 또는 리포트 없음');
            if (!r.ok) failed.push(s);
            at = r.end + 100;
          }
          for (const s of failed) lookalike(at, SCHEDULER, 'WARNING', `  ⚠️  ${s.name} (${s.code}) 리포트 생성 실패`);
          lookalike(at + 10, SCHEDULER, 'INFO', `✅ 리포트 생성 완료: 성공 ${stocks.length - failed.length}개, 실패 ${failed.length}개`);
          return at + 20;
        }
        case 'news': {
          const s = e.stock;
          const added = 1 + Math.floor(rand() * 2);
          lookalike(t, SAVER, 'INFO', `✅ 멀티 모델 예측 완료: 뉴스 ID=${100_000 + Math.floor(rand() * 900_000)}, 생성된 예측 수=${added}개`);
          lookalike(t + 10, SAVER, 'INFO', `종목 ${s.code}의 종합 분석 리포트 업데이트 시작`);
          const before = Math.min(s.predictions, 20);
          s.predictions += added;
          const [phase] = phaseAt(Math.floor((t + 20) / 60_000));
          const end = attempt(t + 20, s, `새 예측 추가 (기존: ${before}, 현재: ${s.predictions}, 시장: ${phase})`).end;
          lookalike(end, SAVER, 'INFO', `종목 ${s.code}의 종합 분석 리포트 업데이트 완료`);
          return end + 10;
        }
        case 'storm': {
          const s = e.stock;
          line(`INFO:     ${pick(UA_IPS)}:${40_000 + Math.floor(rand() * 20_000)} - "GET /api/stocks/${s.code} HTTP/1.1" 200 OK`);
          const [phase] = phaseAt(Math.floor(t / 60_000));
          return attempt(t, s, `새 예측 추가 (기존: 20, 현재: ${Math.max(21, s.predictions)}, 시장: ${phase})`).end;
        }
        case 'view': {
          line(`INFO:     ${pick(UA_IPS)}:${40_000 + Math.floor(rand() * 20_000)} - "GET /api/stocks/${e.stock.code} HTTP/1.1" 200 OK`);
          return decide(t, e.stock);
        }
        case 'no_predictions':
          record(t, SERVICE, 'WARNING', 'no_predictions', `종목 ${NO_PREDICTION_CODE}에 대한 예측 데이터가 없습니다.`);
          return t + 5;
        case 'abandon': {
          // The process restarts mid-generation: no outcome line is ever written.
          const s = e.stock;
          counts.attempts.total += 1;
          counts.attempts.failed += 1;
          counts.attempts.abandoned += 1;
          counts.reasons.new_prediction += 1;
          const [phase] = phaseAt(Math.floor(t / 60_000));
          record(t, SERVICE, 'INFO', 'attempt', `종목 ${s.code} 업데이트 시작: 새 예측 추가 (기존: ${Math.min(s.predictions, 20)}, 현재: ${s.predictions + 1}, 시장: ${phase})`);
          if (llmCost) {
            record(t + 10, SERVICE, 'INFO', 'llm_cost', `[LLM_COST] 리포트 생성: 종목=${s.code}, 시장단계=${phase}, 사유=새 예측 추가 (기존: ${Math.min(s.predictions, 20)}, 현재: ${s.predictions + 1}, 시장: ${phase}), 예측개수=${s.predictions + 1}, 비용예상=$0.001`);
            counts.llm_cost_lines += 1;
          }
          s.predictions += 1;
          record(t + 20, SERVICE, 'INFO', 'generation_call', `종목 ${s.code}에 대한 투자 리포트 생성 시작...`);
          record(t + 30, GENERATOR, 'INFO', 'generation_started', `투자 리포트 생성 시작: ${s.code} (${Math.min(s.predictions, 20)}건 분석)`);
          log(t + 2000, 'uvicorn.error', 'INFO', 'Shutting down');
          log(t + 2100, 'uvicorn.error', 'INFO', 'Waiting for application shutdown.');
          log(t + 60_000, 'uvicorn.error', 'INFO', `Started server process [${1000 + Math.floor(rand() * 9000)}]`);
          return t + 60_100;
        }
      }
      return t;
    };

    for (;;) {
      const next = ev < events.length ? Math.max(events[ev].at, cursor) : Infinity;
      if (noiseAt < next && noiseAt < 86_399_000) {
        noise(Math.floor(noiseAt));
        noiseAt += gap * (0.2 + 1.6 * rand());
      } else if (ev < events.length) {
        if (next >= 86_399_000) {
          ev = events.length; // what does not fit the day is not run
          continue;
        }
        rand = own(day, ev);
        cursor = run(events[ev++], next);
        rand = shared;
        noiseAt = Math.max(noiseAt, cursor);
      } else break;
      if (outLen >= 1 << 20) {
        yield out.join('\n') + '\n';
        out = [];
        outLen = 0;
      }
    }
  }
  if (out.length) yield out.join('\n') + '\n';
  return counts;
}

function reasonKey(text) {
  if (text.startsWith('새 예측 추가')) return 'new_prediction';
  if (text.startsWith('시장 단계별 TTL 초과')) return 'ttl_expired';
  if (text.startsWith('주가 급변')) return 'price_move';
  if (text.startsWith('예측 방향 급변')) return 'direction_change';
  return 'forced';
}

/** News arrives mostly in the day: more between 07:00 and 22:00. */
function dayTime(rand) {
  return rand() < 0.85 ? 25_200_000 + Math.floor(rand() * 54_000_000) : Math.floor(rand() * 86_000_000);
}

function noiseLine(ms, { log, line, lookalike, traceback, rand, pick, stocks, ts }) {
  const r = rand();
  const s = pick(stocks);
  if (r < 0.3) {
    const p = pick(PATHS).replace('{c}', s.code);
    line(`INFO:     ${pick(UA_IPS)}:${40_000 + Math.floor(rand() * 20_000)} - "GET ${p} HTTP/1.1" ${rand() < 0.98 ? '200 OK' : '404 Not Found'}`);
  } else if (r < 0.5) {
    log(ms, 'httpx', 'INFO', `HTTP Request: GET https://${pick(NEWS_HOSTS)}/article/${s.code}/${Math.floor(rand() * 1e7)} "HTTP/1.1 200 OK"`);
  } else if (r < 0.72) {
    const phrase = pick(PHRASES);
    const message = `뉴스 저장: [${rand() < 0.2 ? '속보' : '종합'}] ${s.name}(${s.code}), ${phrase}`;
    if (LOOKALIKE_PHRASES.has(phrase)) lookalike(ms, 'backend.crawlers.news_crawler', 'INFO', message);
    else log(ms, 'backend.crawlers.news_crawler', 'INFO', message);
  } else if (r < 0.8) {
    const job = pick(JOBS);
    if (rand() < 0.5) log(ms, 'apscheduler.executors.default', 'INFO', `Running job "${job} (trigger: interval[0:10:00], next run at: ${ts(ms + 600_000).slice(0, 19)} KST)"`);
    else log(ms, 'apscheduler.executors.default', 'INFO', `Job "${job} (trigger: interval[0:10:00])" executed successfully`);
  } else if (r < 0.9) {
    log(ms, 'sqlalchemy.engine.Engine', 'INFO', `SELECT stock_predictions.id, stock_predictions.stock_code, stock_predictions.direction, stock_predictions.confidence FROM stock_predictions WHERE stock_predictions.stock_code = %(stock_code_1)s ORDER BY stock_predictions.created_at DESC LIMIT %(param_1)s`);
  } else if (r < 0.95) {
    // Another module's use of the same words: not an attempt.
    lookalike(ms, 'backend.services.price_service', 'INFO', `주가 업데이트 시작: ${s.code} (${s.name})`);
  } else if (r < 0.998) {
    log(ms, 'backend.services.prediction_service', 'DEBUG', `예측 ${1 + Math.floor(rand() * 20)}건 조회 (${s.code})`);
  } else {
    log(ms, 'backend.crawlers.news_crawler', 'ERROR', `크롤링 실패: https://${pick(NEWS_HOSTS)}/article/${Math.floor(rand() * 1e7)}`);
    traceback(
      [
        ['/app/backend/crawlers/news_crawler.py', 144, 'fetch_article', 'resp = await client.get(url, timeout=10)'],
        ['/usr/local/lib/python3.11/site-packages/httpx/_client.py', 1574, 'get', 'return await self.request('],
      ],
      'httpx.ReadTimeout: timed out',
    );
  }
}

function parseArgs(argv) {
  const args = { size: '300MB', days: '30', stocks: '40', start: '2025-10-06', seed: '1', out: 'bench/out/backend.log' };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'no-llm-cost') args.llmCost = false;
    else if (key === 'append') args.append = true;
    else args[key] = argv[++i];
  }
  return args;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = parseArgs(process.argv.slice(2));
  const counts = generateLog({
    file: a.out,
    size: parseSize(a.size),
    days: Number(a.days),
    stocks: Number(a.stocks),
    start: a.start,
    seed: Number(a.seed),
    llmCost: a.llmCost ?? true,
    append: a.append ?? false,
  });
  process.stdout.write(JSON.stringify(counts, null, 2) + '\n');
}
