/**
 * Posting a JSON document to a webhook (Slack-compatible: a `text` field summarises it).
 * A failed post is a result the caller reports, never a reason to hide what was found.
 */

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

export type PostResult = { ok: true; status: number } | { ok: false; error: string };

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

export async function postJson(url: URL, body: unknown, options: { timeoutMs?: number } = {}): Promise<PostResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  // fetch refuses URLs with credentials; user:password@ means HTTP Basic authentication.
  const target = new URL(url);
  if (target.username || target.password) {
    const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    // Drain the body so the connection is released promptly.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) return { ok: false, error: `HTTP ${response.status}${response.statusText ? ' ' + response.statusText : ''}` };
    return { ok: true, status: response.status };
  } catch (error) {
    return { ok: false, error: describeFetchError(error, timeoutMs) };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  // undici reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message}: ${cause}` : (e?.message ?? String(error));
}
