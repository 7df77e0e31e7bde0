/**
 * Runs the generated collection with Newman, programmatically, and records what the harness
 * needs beyond Newman's own summary: every test result (including those reported from
 * pre-request scripts of skipped requests), every HTTP exchange with the token endpoint (to
 * count grants and failed logins, and to learn every token issued, for redaction), and errors.
 */
import newman from 'newman';
import type { TestRecord } from './clause-summary';

export interface NewmanRunInput {
  collection: object;
  /** Environment values (secrets included): handed to Newman in memory, never written. */
  environment: Record<string, string>;
  timeoutRequestMs: number;
  timeoutRunMs: number;
  /** Report files Newman writes (the caller redacts and moves them). */
  junitPath: string;
  htmlPath: string;
}

export interface ExchangeRecord {
  request: string;
  method: string;
  url: string;
  form: Record<string, string>;
  status?: number;
  body?: string;
  /** A transport error message (refused, timeout…), when the request got no answer. */
  error?: string;
}

export interface NewmanRunResult {
  tests: TestRecord[];
  exchanges: ExchangeRecord[];
  /** A run-level error (e.g. the overall timeout), if Newman reported one. */
  runError?: string;
}

interface NewmanAssertionEvent {
  assertion: string;
  skipped?: boolean;
  error?: { message?: string };
  item: { name: string };
}

interface NewmanRequestEvent {
  item: { name: string };
  request: { method: string; url: { toString(): string }; body?: { mode?: string; urlencoded?: { each(cb: (p: { key: string; value: string }) => void): void } } };
  response?: { code: number; stream?: Buffer };
}

export function runNewman(input: NewmanRunInput): Promise<NewmanRunResult> {
  const tests: TestRecord[] = [];
  const exchanges: ExchangeRecord[] = [];
  return new Promise((resolve) => {
    const emitter = newman.run(
      {
        collection: input.collection,
        envVar: Object.entries(input.environment).map(([key, value]) => ({ key, value })),
        reporters: ['junit', 'htmlextra'],
        reporter: {
          junit: { export: input.junitPath },
          htmlextra: { export: input.htmlPath, skipSensitiveData: true, omitHeaders: true, title: 'MediRoutes authentication contract', browserTitle: 'MediRoutes contract' },
        },
        timeoutRequest: input.timeoutRequestMs,
        timeout: input.timeoutRunMs,
        insecure: false,
      } as newman.NewmanRunOptions,
      (error: Error | null) => resolve({ tests, exchanges, ...(error ? { runError: error.message } : {}) }),
    );
    emitter.on('assertion', (_err: unknown, event: NewmanAssertionEvent) => {
      tests.push({
        title: event.assertion,
        request: event.item.name,
        status: event.skipped ? 'skipped' : event.error ? 'failed' : 'passed',
        ...(event.error ? { message: event.error.message ?? 'failed' } : {}),
      });
    });
    emitter.on('request', (err: Error | null, event: NewmanRequestEvent) => {
      const form: Record<string, string> = {};
      event.request.body?.urlencoded?.each((p) => {
        form[p.key] = p.value;
      });
      exchanges.push({
        request: event.item.name,
        method: event.request.method,
        url: event.request.url.toString(),
        form,
        ...(event.response ? { status: event.response.code, body: event.response.stream?.toString('utf8') ?? '' } : {}),
        ...(err ? { error: err.message } : {}),
      });
    });
  });
}
