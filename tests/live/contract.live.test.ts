/**
 * The contract against a real target, run by `npm run test:live` (never by `npm test`: .mocharc
 * ignores tests/live, and tests/setup.ts's network guard is not loaded here). The plan executes
 * once over real HTTP, then one it per assertion reports it, exactly as the offline suite does.
 */
import { createAjvValidator } from '../../scripts/lib/contract/ajv-validator';
import { issuedTokens } from '../../scripts/lib/runner/run-stats';
import type { ExchangeRecord } from '../../scripts/lib/runner/newman-run';
import { createPlanState, executePlan } from '../../scripts/lib/runner/plan-executor';
import { describePlanRun } from '../support/plan-suite';
import { getLiveConfig, recordLiveRun } from './live-target';

const target = getLiveConfig();

describePlanRun({
  title: `MediRoutes auth contract, ${target.profile} profile, live: ${target.description}`,
  profile: target.profile,
  // The plan bounds itself by the budget; the hook gets a margin for the request in flight.
  timeoutMs: target.budgetMs + target.timeoutMs + 5000,
  execute: async () => {
    const state = createPlanState({
      username: target.username,
      password: target.password,
      profile: target.profile,
      clockSkewSeconds: target.clockSkewSeconds,
      trustLocalClock: target.trustLocalClock,
      ...(target.negativeUsername !== undefined ? { negativeUsername: target.negativeUsername } : {}),
      ...(target.expiredAccessToken !== undefined ? { expiredAccessToken: target.expiredAccessToken } : {}),
      ...(target.expiredTokenNote !== undefined ? { expiredTokenNote: target.expiredTokenNote } : {}),
    });
    const exchanges: ExchangeRecord[] = [];
    const runs = await executePlan({
      baseUrl: target.baseUrl,
      tokenPath: target.tokenPath,
      resourcePath: target.resourcePath,
      state,
      ctx: { validator: createAjvValidator(), skewSeconds: target.clockSkewSeconds, trustLocalClock: target.trustLocalClock },
      profile: target.profile,
      timeoutMs: target.timeoutMs,
      budgetMs: target.budgetMs,
      onExchange: (exchange) => {
        exchanges.push(exchange);
        // Learned as soon as issued: whatever mocha prints from here on is redacted.
        for (const token of issuedTokens([exchange])) target.addSecret(token);
      },
    });
    recordLiveRun({ runs, exchanges, state });
    return runs;
  },
});
