import { base64UrlDecode, base64UrlEncode } from './base64url';
import { isJsonObject } from './observed-response';

/** A JWT split and decoded, without verifying it: the harness holds no keys. */
export type DecodedJwt =
  | { ok: true; header: Record<string, unknown>; claims: Record<string, unknown>; segments: [string, string, string] }
  | { ok: false; reason: string };

/** Splits and decodes a compact JWS; says why not when it is not one. Never echoes the token. */
export function decodeJwt(token: unknown): DecodedJwt {
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'not a non-empty string' };
  const segments = token.split('.');
  if (segments.length !== 3) return { ok: false, reason: `${segments.length} dot-separated segments, not 3` };
  const [h, p, s] = segments as [string, string, string];
  if (![h, p, s].every((seg) => /^[A-Za-z0-9_-]*$/.test(seg))) return { ok: false, reason: 'characters outside base64url' };
  const header = parseJsonSegment(h);
  if (!header) return { ok: false, reason: 'a header that does not decode to a JSON object' };
  const claims = parseJsonSegment(p);
  if (!claims) return { ok: false, reason: 'a payload that does not decode to a JSON object' };
  return { ok: true, header, claims, segments: [h, p, s] };
}

function parseJsonSegment(segment: string): Record<string, unknown> | undefined {
  const text = base64UrlDecode(segment);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The same token with its signature altered (BEARER-TAMPERED-401): the first character flipped. */
export function tamperSignature(token: string): string {
  const cut = token.lastIndexOf('.');
  const signature = token.slice(cut + 1);
  if (signature === '') return `${token}AAAA`;
  const first = signature[0] === 'A' ? 'B' : 'A';
  return `${token.slice(0, cut + 1)}${first}${signature.slice(1)}`;
}

/** The same claims re-encoded unsigned with `alg: none` (BEARER-ALG-NONE-401, RFC 8725 §3.1). */
export function algNoneToken(token: string): string {
  const decoded = decodeJwt(token);
  const claims = decoded.ok ? decoded.claims : {};
  const header = { ...(decoded.ok ? decoded.header : {}), alg: 'none' };
  return `${base64UrlEncode(JSON.stringify(header))}.${base64UrlEncode(JSON.stringify(claims))}.`;
}
