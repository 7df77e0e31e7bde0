import seedTokenResponseJson from '../../fixtures/seed-token-response.json';

/** The seed's sample 200 body made whole (see tests/fixtures/README.md). */
export type SeedTokenResponse = typeof seedTokenResponseJson;

export const seedTokenResponse: Readonly<SeedTokenResponse> = seedTokenResponseJson;

/** The seed body with some members replaced or added; the fixture itself is never mutated. */
export function seedWith(members: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...seedTokenResponse, ...members };
}

/** The seed body without one member. */
export function seedWithout(member: keyof SeedTokenResponse): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...seedTokenResponse };
  delete copy[member];
  return copy;
}

/** The seed access token's header (segment 0) or payload (segment 1), decoded from base64url JSON. */
export function seedJwtPart(segment: 0 | 1): Record<string, unknown> {
  const part = seedTokenResponse.access_token.split('.')[segment];
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
