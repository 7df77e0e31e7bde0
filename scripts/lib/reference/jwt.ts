/**
 * Compact-serialised JWTs (RFC 7519) with HS256 (RFC 7518 section 3.2), just what the reference
 * server needs. Pure: the key is passed in, nothing is read from the environment.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JsonObject = Record<string, unknown>;

export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
  /** `base64url(header) + '.' + base64url(payload)`, exactly as received. */
  signingInput: string;
  /** The third segment, exactly as received. */
  signature: string;
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;

/** The base64url HMAC-SHA-256 of a signing input. */
export function hs256Signature(signingInput: string, key: string): string {
  return createHmac('sha256', key).update(signingInput).digest('base64url');
}

/** Serialises and signs a JWT with HS256. The header defaults to `{alg: 'HS256', typ: 'JWT'}`. */
export function encodeHs256Jwt(payload: JsonObject, key: string, header: JsonObject = { alg: 'HS256', typ: 'JWT' }): string {
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(payload)}`;
  return `${signingInput}.${hs256Signature(signingInput, key)}`;
}

/** Serialises a JWT with an empty signature, as `alg: none` tokens are (RFC 7519 section 6.1). */
export function encodeUnsignedJwt(payload: JsonObject, header: JsonObject = { alg: 'none', typ: 'JWT' }): string {
  return `${base64UrlJson(header)}.${base64UrlJson(payload)}.`;
}

/** Splits and decodes a JWT without verifying anything; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  if (header === '' || payload === '' || !parts.every((part) => SEGMENT.test(part))) return undefined;
  const decodedHeader = parseJsonObject(header);
  const decodedPayload = parseJsonObject(payload);
  if (!decodedHeader || !decodedPayload) return undefined;
  return { header: decodedHeader, payload: decodedPayload, signingInput: `${header}.${payload}`, signature };
}

/**
 * True when the signature segment is the HS256 signature of the signing input. The segments are
 * compared as text, not as decoded bytes: base64url decoding ignores the spare low bits of the
 * last character, so a "tampered" signature that differs only there would otherwise still verify.
 */
export function hasValidHs256Signature(jwt: DecodedJwt, key: string): boolean {
  const expected = Buffer.from(hs256Signature(jwt.signingInput, key));
  const actual = Buffer.from(jwt.signature);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function base64UrlJson(value: JsonObject): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function parseJsonObject(segment: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}
