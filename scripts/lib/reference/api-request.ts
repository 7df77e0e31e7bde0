import type { ApiRequest } from './reference-api';

/**
 * Reading an ApiRequest. The path is split by hand rather than with `new URL(path, base)`,
 * which would read a path like `//host/x` as a host name.
 */

/** The path without its query string. */
export function pathOf(req: ApiRequest): string {
  const q = req.path.indexOf('?');
  return q === -1 ? req.path : req.path.slice(0, q);
}

/** The query string parameters. */
export function queryOf(req: ApiRequest): URLSearchParams {
  const q = req.path.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : req.path.slice(q + 1));
}

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * The form parameters of a token request, or undefined when the body is not form-encoded. A
 * missing Content-Type with a body is read as a form, as lenient clients (and OWIN) do.
 */
export function formOf(req: ApiRequest): URLSearchParams | undefined {
  const contentType = req.headers['content-type'];
  if (contentType === undefined || contentType.trim() === '') return new URLSearchParams(req.body);
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === FORM_MEDIA_TYPE ? new URLSearchParams(req.body) : undefined;
}

/** The token of an `Authorization: Bearer` header; undefined when there is no Bearer header. */
export function bearerOf(req: ApiRequest): string | undefined {
  const authorization = req.headers['authorization'];
  if (authorization === undefined) return undefined;
  // The scheme name is case-insensitive (RFC 9110 section 11.1).
  const match = /^Bearer(?: +(.*))?$/i.exec(authorization.trim());
  return match ? (match[1] ?? '').trim() : undefined;
}

/** A copy of the request with a new form body. */
export function withForm(req: ApiRequest, form: URLSearchParams): ApiRequest {
  return { ...req, headers: { ...req.headers, 'content-type': FORM_MEDIA_TYPE }, body: form.toString() };
}

/** A copy of the request carrying `token` as its bearer token. */
export function withBearer(req: ApiRequest, token: string): ApiRequest {
  return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } };
}
