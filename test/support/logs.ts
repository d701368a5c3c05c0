/**
 * Valid, real-shaped backend log lines for the reliability tests, generated from a seed so that
 * a failing trial can be replayed. The shapes follow ../shared/backend-logs.md: attempts with
 * their [LLM_COST] line, generator calls, successes, failures with tracebacks, skips, A/B runs,
 * and the noise other modules write into the same stream (uvicorn, httpx, look-alike news titles).
 */

/** mulberry32: a tiny seeded PRNG; Math.random cannot be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** A seed for this run: $CRAVENY_OPS_TEST_SEED replays one, otherwise a fresh one. */
export function seedOf(label: string): number {
  const fixed = process.env.CRAVENY_OPS_TEST_SEED;
  const seed = fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
  // Printed so that a failure can be replayed with CRAVENY_OPS_TEST_SEED=<seed>.
  console.log(`${label}: seed ${seed} (replay with CRAVENY_OPS_TEST_SEED=${seed})`);
  return seed;
}

const STOCKS = ['005930', '000660', '035720', '035420', '051910', '207940', '068270', '005380'];
const SERVICE = 'backend.services.stock_analysis_service';
const GENERATOR = 'backend.llm.investment_report';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2025-11-04 09:15:02,123` for a wall-clock time given as if UTC. */
export function stamp(naiveMs: number): string {
  const d = new Date(naiveMs);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/** The market phase of a KST wall-clock time (the log is written in Asia/Seoul). */
function phaseOf(naiveMs: number): string {
  const d = new Date(naiveMs);
  const m = d.getUTCHours() * 60 + d.getUTCMinutes();
  if (m < 9 * 60) return 'pre_market';
  if (m < 9 * 60 + 30) return 'market_open';
  if (m < 15 * 60 + 30) return 'trading';
  if (m < 15 * 60 + 36) return 'market_close';
  return 'after_hours';
}

const TTL: Record<string, number> = { pre_market: 3, market_open: 1, trading: 2, market_close: 1, after_hours: 6 };

/**
 * An endless, seeded stream of log lines; each call of `next()` returns one episode (an attempt
 * with its outcome, a skip, or noise) as whole lines without newlines. Times only go forward.
 */
export class LogGenerator {
  private readonly random: () => number;
  private t: number;
  private serial = 0;

  constructor(seed: number, start = Date.parse('2025-11-04T00:00:00Z')) {
    this.random = rng(seed);
    this.t = start;
  }

  private line(logger: string, message: string, level = 'INFO'): string {
    this.t += 1 + Math.floor(this.random() * 40);
    return `${stamp(this.t)} - ${logger} - ${level} - ${message}`;
  }

  next(): string[] {
    const r = this.random;
    this.t += Math.floor(r() * 20_000);
    const code = pick(r, STOCKS);
    const phase = phaseOf(this.t);
    const roll = r();
    this.serial++;
    if (roll < 0.3) return this.noise(code);
    if (roll < 0.5) {
      const ttl = TTL[phase];
      const age = (Math.floor(r() * ttl * 10) / 10).toFixed(1);
      return [this.line(SERVICE, `종목 ${code}의 분석 요약이 최신 상태입니다. (업데이트 불필요 (시장: ${phase}, 경과: ${age}h/${ttl}h))`)];
    }
    const reason = this.reason(phase);
    const n = 1 + Math.floor(r() * 20);
    const lines = [
      this.line(SERVICE, `종목 ${code} 업데이트 시작: ${reason}`),
      this.line(SERVICE, `[LLM_COST] 리포트 생성: 종목=${code}, 시장단계=${phase}, 사유=${reason}, 예측개수=${n}, 비용예상=$0.001`),
      this.line(SERVICE, `종목 ${code}에 대한 투자 리포트 생성 시작...`),
    ];
    const ab = r() < 0.2;
    lines.push(this.line(GENERATOR, ab ? `A/B 종합 리포트 생성: ${code} (${n}건 분석) - 병렬 호출` : `투자 리포트 생성 시작: ${code} (${n}건 분석)`));
    if (r() < 0.3) lines.push(this.line('httpx', 'HTTP Request: POST https://api.openai.com/v1/chat/completions "HTTP/1.1 200 OK"'));
    const outcome = r();
    if (outcome < 0.75) {
      lines.push(this.line(GENERATOR, ab ? `A/B 종합 리포트 완료: ${code} - 추천 일치: True` : `투자 리포트 생성 완료: ${code} (추천: 매수)`));
      lines.push(this.line(SERVICE, ab ? `종목 ${code}의 A/B 분석 요약 업데이트 완료` : `종목 ${code}의 분석 요약 업데이트 완료`));
    } else if (outcome < 0.9) {
      lines.push(this.line(GENERATOR, ab ? 'A/B 종합 리포트 실패: Request timed out.' : '투자 리포트 생성 실패: Request timed out.', 'ERROR'));
      lines.push(...this.traceback('openai.APITimeoutError: Request timed out.'));
      lines.push(this.line(SERVICE, ab ? `종목 ${code}의 A/B 분석 요약 업데이트 완료` : `종목 ${code}의 리포트 생성 실패`));
    } else if (outcome < 0.97) {
      lines.push(this.line(SERVICE, `종목 ${code}의 분석 요약 업데이트 실패: connection reset (serial ${this.serial})`, 'ERROR'));
      lines.push(...this.traceback('ConnectionResetError: [Errno 104] Connection reset by peer'));
    }
    // else: abandoned — no outcome line at all
    return lines;
  }

  private reason(phase: string): string {
    const r = this.random;
    const k = r();
    const ttl = TTL[phase];
    if (k < 0.3) {
      const prev = Math.floor(r() * 20);
      return `새 예측 추가 (기존: ${prev}, 현재: ${prev + 1 + Math.floor(r() * 3)}, 시장: ${phase})`;
    }
    if (k < 0.5) return `시장 단계별 TTL 초과 (${phase}: ${(ttl + r() * 2).toFixed(1)}h > ${ttl}h)`;
    if (k < 0.65) return `주가 급변 (${(3 + r() * 5).toFixed(1)}%, 임계값: 3.0%, 시장: ${phase})`;
    if (k < 0.8) {
      const a = Math.floor(r() * 50);
      return `예측 방향 급변 (상승 비율: ${a}.0% → ${a + 20}.0%, 변화: 20.0%, 임계값: 15.0%, 시장: ${phase})`;
    }
    return '강제 업데이트 또는 리포트 없음';
  }

  private traceback(last: string): string[] {
    return [
      'Traceback (most recent call last):',
      '  File "/app/backend/llm/investment_report.py", line 212, in generate_report',
      '    response = await client.chat.completions.create(**params)',
      last,
    ];
  }

  private noise(code: string): string[] {
    const r = this.random;
    const k = r();
    if (k < 0.3) return [`INFO:     127.0.0.1:${40000 + Math.floor(r() * 20000)} - "GET /api/stocks/${code} HTTP/1.1" 200 OK`];
    if (k < 0.6) return [this.line('backend.crawlers.news_crawler', `뉴스 저장: [속보] 종목 ${code} 업데이트 시작: 새 예측 추가 기대감 #${this.serial}`)];
    if (k < 0.8) {
      return [
        this.line('backend.crawlers.news_saver', `종목 ${code}의 종합 분석 리포트 업데이트 시작`),
        this.line('backend.crawlers.news_saver', `종목 ${code}의 종합 분석 리포트 업데이트 완료`),
      ];
    }
    return [this.line('apscheduler.executors.default', `Job "crawl_news (trigger: interval[0:05:00])" executed successfully`)];
  }

  /** Whole episodes until at least `bytes` bytes, as text ending with a newline. */
  text(bytes: number): string {
    const parts: string[] = [];
    let size = 0;
    while (size < bytes) {
      for (const l of this.next()) {
        parts.push(l);
        size += Buffer.byteLength(l) + 1;
      }
    }
    return parts.join('\n') + '\n';
  }
}

/** A seeded log of about `bytes` bytes. */
export function generateLog(seed: number, bytes: number): string {
  return new LogGenerator(seed).text(bytes);
}
