import type { SchemaValidator } from './schema-validator';

/** What checks need beyond the response: the schema validator of their world and the run's settings. */
export interface CheckContext {
  validator: SchemaValidator;
  /** Allowed clock skew for EXPIRY-ISSUED-NOW, seconds. */
  skewSeconds: number;
  /** false: judge `.issued` against the response Date header instead of the harness clock. */
  trustLocalClock: boolean;
}

/** The contract's token lifetime: 24 hours. */
export const LIFETIME_SECONDS = 86400;
