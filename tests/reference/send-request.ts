/**
 * A minimal node:http client for the reference-server tests: no keep-alive agent (so nothing
 * outlives a test), raw headers kept, the body as text. Loopback only, so no interceptor needed.
 */
import { request } from 'node:http';

export interface SentResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function sendRequest(baseUrl: string, spec: RequestSpec): Promise<SentResponse> {
  return new Promise((resolve, reject) => {
    const body = spec.body ?? '';
    const req = request(
      `${baseUrl}${spec.path}`,
      {
        method: spec.method ?? 'GET',
        agent: false,
        headers: { ...(body.length > 0 ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...spec.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** POSTs a form to the token endpoint. */
export function postForm(baseUrl: string, path: string, form: Record<string, string>): Promise<SentResponse> {
  return sendRequest(baseUrl, { method: 'POST', path, headers: FORM, body: new URLSearchParams(form).toString() });
}

/** GETs a path with an optional bearer token. */
export function getWithBearer(baseUrl: string, path: string, token?: string): Promise<SentResponse> {
  return sendRequest(baseUrl, { path, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

/** The body parsed as a JSON object; fails the test when it is not one. */
export function jsonObject(res: { body: string }): Record<string, unknown> {
  const value: unknown = JSON.parse(res.body);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not a JSON object: ${res.body}`);
  return value as Record<string, unknown>;
}
