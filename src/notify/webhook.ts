/**
 * Posting a JSON document to a webhook (Slack-compatible: a `text` field summarises it).
 * A failed post is a result the caller reports, never a reason to hide what was found.
 * Network errors, timeouts, 429 and 5xx answers are tried again with a doubling pause, a bounded
 * number of times (a cron job must end); the answer's body is read only up to a few KiB.
 */

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** Tries in all: with the default pauses of 1 s and 2 s a dead receiver costs at most ~33 s. */
export const DEFAULT_WEBHOOK_ATTEMPTS = 3;
export const DEFAULT_WEBHOOK_BACKOFF_MS = 1_000;
/** What is read of an answer: enough to reuse the connection, never a 2 GB reply held in memory. */
export const MAX_ANSWER_BYTES = 4_096;

export type PostResult = { ok: true; status: number } | { ok: false; error: string };

export interface PostOptions {
  timeoutMs?: number;
  attempts?: number;
  /** The pause before the second try; doubled before each later one. */
  backoffMs?: number;
  /** Sent with every try, e.g. Idempotency-Key (the same on a retry, so receivers can drop duplicates). */
  headers?: Record<string, string>;
}

type TryResult = PostResult & { retryable?: boolean };

/** Parses a webhook URL; null unless it is http(s). */
export function parseWebhookUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/**
 * The URL safe to print: no user or password, no query, and long path segments masked —
 * Slack and Discord put the webhook's secret in the path.
 */
export function redactWebhookUrl(url: URL): string {
  const path = url.pathname
    .split('/')
    .map((segment) => (segment.length >= 16 ? '***' : segment))
    .join('/');
  return `${url.protocol}//${url.host}${path}${url.search ? '?***' : ''}`;
}

export async function postJson(url: URL, body: unknown, options: PostOptions = {}): Promise<PostResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const attempts = Math.max(1, options.attempts ?? DEFAULT_WEBHOOK_ATTEMPTS);
  const backoffMs = options.backoffMs ?? DEFAULT_WEBHOOK_BACKOFF_MS;
  const headers: Record<string, string> = { ...options.headers, 'content-type': 'application/json; charset=utf-8' };
  // fetch refuses URLs with credentials; user:password@ means HTTP Basic authentication.
  const target = new URL(url);
  if (target.username || target.password) {
    const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    const result = await postOnce(target, headers, payload, timeoutMs);
    if (result.ok) return { ok: true, status: result.status };
    if (!result.retryable || attempt >= attempts) {
      return { ok: false, error: attempt > 1 ? `${result.error} (after ${attempt} attempts)` : result.error };
    }
    await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
  }
}

async function postOnce(target: URL, headers: Record<string, string>, payload: string, timeoutMs: number): Promise<TryResult> {
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers,
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await readAtMost(response, MAX_ANSWER_BYTES);
    if (!response.ok) {
      const retryable = response.status >= 500 || response.status === 429;
      return { ok: false, retryable, error: `HTTP ${response.status}${response.statusText ? ' ' + response.statusText : ''}` };
    }
    return { ok: true, status: response.status };
  } catch (error) {
    return { ok: false, retryable: true, error: describeFetchError(error, timeoutMs) };
  }
}

/** Reads up to `limit` bytes of the answer and drops the rest, which releases the connection. */
async function readAtMost(response: Response, limit: number): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  let read = 0;
  try {
    while (read < limit) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
  } catch {
    // A broken answer body says nothing more than its status.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  // undici reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message}: ${cause}` : (e?.message ?? String(error));
}
