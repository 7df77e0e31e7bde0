/**
 * The nightly expiry proof (CONTRACT.md "Nightly expiry check"): a run saves its access token
 * with its .expires; a later run uses it for EXPIRY-REJECTED once .expires (plus skew) has
 * passed, and reports it "not yet due" before then. Pure: the entry point reads and writes files.
 */
import { parseRfc1123 } from '../contract/rfc1123';

export interface SavedToken {
  /** The API the token belongs to. */
  baseUrl: string;
  accessToken: string;
  /** The token's .expires, RFC 1123. */
  expires: string;
  savedAt: string;
}

export type SavedTokenVerdict = { kind: 'due'; accessToken: string } | { kind: 'not-due' | 'unusable'; reason: string };

export function serializeSavedToken(token: SavedToken): string {
  return `${JSON.stringify(token, null, 2)}\n`;
}

/** Whether a saved token can prove EXPIRY-REJECTED now. Reasons never include the token. */
export function judgeSavedToken(text: string, baseUrl: string, now: number, skewSeconds: number): SavedTokenVerdict {
  let saved: Partial<SavedToken>;
  try {
    saved = JSON.parse(text) as Partial<SavedToken>;
  } catch {
    return { kind: 'unusable', reason: 'the saved token file is not JSON' };
  }
  if (typeof saved.accessToken !== 'string' || saved.accessToken === '') return { kind: 'unusable', reason: 'the saved token file holds no access token' };
  if (saved.baseUrl !== baseUrl) return { kind: 'unusable', reason: 'the saved token belongs to another base URL' };
  const expires = parseRfc1123(saved.expires);
  if (expires === undefined) return { kind: 'unusable', reason: 'the saved token has no readable .expires' };
  const due = expires + skewSeconds * 1000;
  if (now < due) return { kind: 'not-due', reason: `the saved token is not yet due (expires ${saved.expires}; due after ${new Date(due).toUTCString()})` };
  return { kind: 'due', accessToken: saved.accessToken };
}
