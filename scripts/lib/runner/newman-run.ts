/**
 * Runs the generated collection with Newman, programmatically, and records what the harness
 * needs beyond Newman's own summary: every test result (including those reported from
 * pre-request scripts of skipped requests), every HTTP exchange with the token endpoint (to
 * count grants and failed logins, and to learn every token issued, for redaction), and errors.
 *
 * Bounded, whatever the target does (the numbers are in the README):
 * - every request, the collection's own and pm.sendRequest's: `timeoutRequestMs`;
 * - every response body: `maxResponseBytes` (Newman would otherwise buffer a body of any size,
 *   and copy it into the sandbox, several times: a 40 MB body cost 2.3 GB and 27 s);
 * - a target that stops answering: after `maxConsecutiveTransportErrors` requests in a row to one
 *   endpoint got no answer (refused, reset, timed out, body over the limit), the run is aborted;
 * - a target that keeps answering 429: after `maxConsecutiveRateLimited` 429s in a row (one
 *   request's retries exhausted) the run is aborted;
 * - everything else: at `timeoutRunMs` the run is aborted (the request in flight still ends,
 *   within its own timeout, and the reporters write what was checked); Newman's own global
 *   timeout, one request timeout and a second later, is the backstop.
 * Checks that never ran are reported missing by the clause summary, so an aborted run fails.
 */
import { createRequire } from 'node:module';
import newman from 'newman';
import { MAX_RATE_LIMIT_RETRIES } from '../contract/throttle';
import { toTransportError } from '../target/http-client';
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
  /** Default DEFAULT_MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
  /** Default MAX_CONSECUTIVE_TRANSPORT_ERRORS. */
  maxConsecutiveTransportErrors?: number;
  /** Default MAX_CONSECUTIVE_RATE_LIMITED. */
  maxConsecutiveRateLimited?: number;
}

export interface ExchangeRecord {
  request: string;
  method: string;
  url: string;
  form: Record<string, string>;
  status?: number;
  body?: string;
  /** A transport error (refused, timeout…), one line, when the request got no answer. */
  error?: string;
}

export interface NewmanRunResult {
  tests: TestRecord[];
  exchanges: ExchangeRecord[];
  /** Why the run stopped early (abort rule, budget, Newman error): one line. */
  runError?: string;
  /** Which rule stopped it, when one did. */
  stopped?: 'unanswered' | 'rate-limited' | 'budget' | 'newman-error';
}

/** 1 MiB, as the mocha client's limit: a token response is well under 2 KiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Two in a row to one endpoint: one lost request can be bad luck, two mean the target is not answering. */
export const MAX_CONSECUTIVE_TRANSPORT_ERRORS = 2;
/** The first answer plus every retry of it: one request gave up on the rate limit. */
export const MAX_CONSECUTIVE_RATE_LIMITED = MAX_RATE_LIMIT_RETRIES + 1;

/** The name exchanges of pm.sendRequest (the token lifecycle in pre-request scripts) carry. */
export const SCRIPT_REQUEST = 'token lifecycle (pre-request)';

interface Cursor {
  ref?: string;
}

interface NewmanAssertionEvent {
  cursor?: Cursor;
  assertion: string;
  skipped?: boolean;
  error?: { message?: string };
  item: { name?: string };
}

interface NewmanRequestEvent {
  cursor?: Cursor;
  item: { name?: string };
  request: { method: string; url: { toString(): string }; body?: { mode?: string; urlencoded?: { each(cb: (p: { key: string; value: string }) => void): void } } };
  response?: { code: number; stream?: Buffer };
}

interface RuntimeRun {
  abort(): void;
}

const MAX_SIZE_MESSAGE = 'Maximum response size reached';

/** After the budget, the request in flight may take its own timeout; then this, then Newman gives up. */
const HARD_STOP_GRACE_MS = 1000;

const BUDGET_MESSAGE = (budgetMs: number): string => `the run exceeded its budget of ${budgetMs} ms (--budget-ms)`;

/**
 * Newman builds the postman-runtime requester options itself and passes no size limit through;
 * postman-request has one (`maxResponseSize`). This gives every run in this process that limit,
 * unless a run sets its own. Newman's own copy of postman-runtime is the one patched.
 */
function limitResponseSize(maxBytes: number): void {
  const requireFromNewman = createRequire(require.resolve('newman'));
  const runtime = requireFromNewman('postman-runtime') as { Runner: { prototype: Record<string | symbol, unknown> } };
  const proto = runtime.Runner.prototype;
  const marker = Symbol.for('mediroutes.maxResponseSize');
  proto[marker] = maxBytes;
  if (proto[Symbol.for('mediroutes.patched')]) return;
  proto[Symbol.for('mediroutes.patched')] = true;
  const original = proto.run as (this: unknown, collection: unknown, options: Record<string, unknown>, callback: unknown) => unknown;
  proto.run = function run(this: unknown, collection: unknown, options: Record<string, unknown>, callback: unknown): unknown {
    const requester = (options.requester ?? {}) as Record<string, unknown>;
    if (typeof requester.maxResponseSize !== 'number') options.requester = { ...requester, maxResponseSize: proto[marker] };
    return original.call(this, collection, options, callback);
  };
}

/** The request's path without its query (which may carry a token). */
function endpointOf(event: NewmanRequestEvent): string {
  try {
    return new URL(event.request.url.toString()).pathname;
  } catch {
    return '(unparsable URL)';
  }
}

/** One line saying why a request got no answer; never the query string or the body. */
function describeRequestError(err: Error, event: NewmanRequestEvent, input: NewmanRunInput, maxBytes: number): string {
  let where: string;
  try {
    const url = new URL(event.request.url.toString());
    where = `${event.request.method} ${url.pathname} on ${url.host}`;
  } catch {
    where = `${event.request.method} request`;
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (err.message === MAX_SIZE_MESSAGE) return `${where} failed: the response body is over the ${maxBytes}-byte limit`;
  if (code === 'ESOCKETTIMEDOUT' || code === 'ETIMEDOUT') return `${where} failed: no complete response within ${input.timeoutRequestMs} ms (--timeout-ms)`;
  return toTransportError(err, where).message;
}

export function runNewman(input: NewmanRunInput): Promise<NewmanRunResult> {
  const maxBytes = input.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxErrors = input.maxConsecutiveTransportErrors ?? MAX_CONSECUTIVE_TRANSPORT_ERRORS;
  const maxLimited = input.maxConsecutiveRateLimited ?? MAX_CONSECUTIVE_RATE_LIMITED;
  limitResponseSize(maxBytes);

  const tests: TestRecord[] = [];
  const exchanges: ExchangeRecord[] = [];
  let run: RuntimeRun | undefined;
  let abortReason: string | undefined;
  let stopped: NewmanRunResult['stopped'];
  // By endpoint: a token endpoint that hangs while the resource answers is still a hung target.
  const transportErrorsInARow = new Map<string, number>();
  let rateLimitedInARow = 0;
  // A check of a request that got no answer fails on `undefined`: say why instead.
  const unanswered = new Map<string, string>();

  const abort = (why: 'unanswered' | 'rate-limited' | 'budget', reason: string): void => {
    if (abortReason !== undefined) return;
    stopped = why;
    abortReason = `aborted: ${reason}; the checks after it did not run`;
    run?.abort();
  };

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
        // The budget is enforced by an abort (below), which lets the request in flight end and
        // the reporters write what was checked; this is the backstop if that does not happen.
        timeout: input.timeoutRunMs + input.timeoutRequestMs + HARD_STOP_GRACE_MS,
        insecure: false,
      } as newman.NewmanRunOptions,
      (error: Error | null) => {
        clearTimeout(budget);
        let runError = abortReason;
        if (error) {
          // Newman's words for its global timeout are "callback timed out" (or a script's timeout).
          stopped = /timed out/i.test(error.message) ? 'budget' : 'newman-error';
          // Newman stops waiting, but the item in flight would queue the next one: stop that too.
          run?.abort();
          runError = stopped === 'budget' ? `${BUDGET_MESSAGE(input.timeoutRunMs)} and was stopped without its reports` : `newman: ${error.message.split('\n')[0]}`;
        }
        resolve({ tests, exchanges, ...(runError !== undefined ? { runError } : {}), ...(stopped !== undefined ? { stopped } : {}) });
      },
    );
    const budget = setTimeout(() => abort('budget', BUDGET_MESSAGE(input.timeoutRunMs)), input.timeoutRunMs);
    emitter.on('start', (_err: unknown, event: { run?: RuntimeRun }) => {
      run = event.run;
      if (abortReason !== undefined) run?.abort();
    });
    emitter.on('assertion', (_err: unknown, event: NewmanAssertionEvent) => {
      const noAnswer = event.cursor?.ref !== undefined ? unanswered.get(event.cursor.ref) : undefined;
      tests.push({
        title: event.assertion,
        request: event.item.name ?? SCRIPT_REQUEST,
        status: event.skipped ? 'skipped' : event.error ? 'failed' : 'passed',
        ...(event.error ? { message: noAnswer !== undefined ? `no answer to check: ${noAnswer}` : (event.error.message ?? 'failed') } : {}),
      });
    });
    emitter.on('request', (err: Error | null, event: NewmanRequestEvent) => {
      const form: Record<string, string> = {};
      event.request.body?.urlencoded?.each((p) => {
        form[p.key] = p.value;
      });
      const name = event.item.name ?? SCRIPT_REQUEST;
      const error = err ? describeRequestError(err, event, input, maxBytes) : undefined;
      if (error !== undefined && event.item.name !== undefined && event.cursor?.ref !== undefined) unanswered.set(event.cursor.ref, error);
      exchanges.push({
        request: name,
        method: event.request.method,
        url: event.request.url.toString(),
        form,
        ...(event.response && !err ? { status: event.response.code, body: event.response.stream?.toString('utf8') ?? '' } : {}),
        ...(error !== undefined ? { error } : {}),
      });
      const endpoint = endpointOf(event);
      const inARow = error !== undefined ? (transportErrorsInARow.get(endpoint) ?? 0) + 1 : 0;
      transportErrorsInARow.set(endpoint, inARow);
      rateLimitedInARow = !err && event.response?.code === 429 ? rateLimitedInARow + 1 : 0;
      if (inARow >= maxErrors) abort('unanswered', `${inARow} requests in a row to ${endpoint} got no answer (last: [${name}] ${error ?? ''})`);
      if (rateLimitedInARow >= maxLimited) abort('rate-limited', `${rateLimitedInARow} answers in a row were 429 Too Many Requests, Retry-After honoured each time`);
    });
  });
}
