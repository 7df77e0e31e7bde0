import type { ApiResponse } from './reference-api';

/**
 * Every answer of the reference server is JSON and uncacheable: token responses must be
 * (RFC 6749 section 5.1), and rider data is personal, so nothing is ever worth caching.
 * Header names are lower case, like the request side, so faults can edit them by name.
 */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** The answer to anything unexpected: no stack, no detail, nothing for a caller to learn from. */
export function serverErrorResponse(): ApiResponse {
  return jsonResponse(500, { error: 'server_error' });
}
