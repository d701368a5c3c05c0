/**
 * JUnit XML for CI systems: one testsuite per verify run, one testcase per check; failures carry
 * the violating records as text, checks that were not exercised are skipped.
 * Log text is arbitrary (Korean, quotes, angle brackets, control characters), so all of it is escaped.
 */
import type { Day1Result } from '../analysis/verify-day1.js';
import type { WeekResult } from '../analysis/verify-week.js';

export interface TestCase {
  name: string;
  classname: string;
  /** Present when the check failed. */
  failure?: { message: string; type: string; text: string };
  /** Present when the check could not be exercised. */
  skipped?: string;
  /** What was observed, for passing and failing cases alike. */
  systemOut?: string;
}

export interface TestSuite {
  name: string;
  timestamp?: string;
  cases: TestCase[];
}

// Characters XML 1.0 cannot carry at all, even escaped (most C0 controls, lone surrogates, U+FFFE/F).
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (pairs: Record<string, string | number | undefined>) =>
  Object.entries(pairs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

export function junitXml(suite: TestSuite): string {
  const failures = suite.cases.filter((c) => c.failure).length;
  const skipped = suite.cases.filter((c) => c.skipped !== undefined).length;
  const counts = { tests: suite.cases.length, failures, errors: 0, skipped };
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name: suite.name, ...counts })}>`];
  lines.push(`  <testsuite${attrs({ name: suite.name, ...counts, timestamp: suite.timestamp, time: 0 })}>`);
  for (const c of suite.cases) {
    lines.push(`    <testcase${attrs({ name: c.name, classname: c.classname, time: 0 })}>`);
    if (c.failure) lines.push(`      <failure${attrs({ message: c.failure.message, type: c.failure.type })}>${xmlEscape(c.failure.text)}</failure>`);
    if (c.skipped !== undefined) lines.push(`      <skipped${attrs({ message: c.skipped })}/>`);
    if (c.systemOut) lines.push(`      <system-out>${xmlEscape(c.systemOut)}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n');
}

export function day1Suite(result: Day1Result): TestSuite {
  return {
    name: `craveny-ops verify day1 ${result.date}`,
    cases: result.checks.map((check) => ({
      name: check.id,
      classname: 'craveny-ops.verify.day1',
      failure:
        check.status === 'fail'
          ? {
              message: `${check.violation_count} violation(s): ${check.expectation}`,
              type: 'rule_violation',
              text: check.violations.map((v) => `${v.ts} ${v.stock_code} ${v.message}\n  ${v.explanation}`).join('\n'),
            }
          : undefined,
      skipped: check.status === 'not_exercised' ? `not exercised: ${check.observed}` : undefined,
      systemOut: `phase ${check.phase}; expected: ${check.expectation}; observed: ${check.observed}`,
    })),
  };
}

export function weekSuite(result: WeekResult): TestSuite {
  // A day the market was closed is one skipped case: shown, not judged.
  const closed = new Set(result.checks.flatMap((c) => c.days.filter((d) => d.status === 'market_closed').map((d) => d.date)));
  const closedCases = result.calendar
    .filter((c) => closed.has(c.date))
    .map((c) => ({ name: `market_closed ${c.date}`, classname: 'craveny-ops.verify.week', skipped: `${c.date} is not a KRX trading day (${c.closed_because}): shown, not judged` }));
  return {
    name: `craveny-ops verify week ${result.from}..${result.to}`,
    cases: [...result.checks.map((check) => {
      const failing = check.days.filter((d) => d.status === 'fail');
      return {
        name: check.id,
        classname: 'craveny-ops.verify.week',
        failure:
          check.status === 'fail'
            ? {
                message: `${failing.length} day(s) outside: ${check.expectation}`,
                type: 'threshold',
                text: failing.map((d) => `${d.date} ${d.value} (${d.detail})`).join('\n'),
              }
            : undefined,
        skipped: check.status === 'not_exercised' ? 'not exercised: no day has data' : undefined,
        systemOut: check.days.map((d) => `${d.date} ${d.value ?? '-'} ${d.status}: ${d.detail}`).join('\n'),
      };
    }), ...closedCases],
  };
}
