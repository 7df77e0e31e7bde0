import { strict as assert } from 'node:assert';
import { shortfalls, summarizeClauses } from '../../scripts/lib/runner/clause-summary';

describe('unit: clause verdicts from test results', () => {
  const verdictOf = (records: Parameters<typeof summarizeClauses>[0]) => summarizeClauses(records, 'documented');
  const clause = (v: ReturnType<typeof verdictOf>, id: string) => v.clauses.find((c) => c.clause === id)!;

  it('a clause with one failed check among passes is failed', () => {
    const v = verdictOf([
      { title: 'TOKEN-ERROR-BODY: a', request: 'A', status: 'passed' },
      { title: 'TOKEN-ERROR-BODY: b', request: 'B', status: 'failed', message: 'TOKEN-ERROR-BODY: expected x; saw y' },
    ]);
    assert.equal(clause(v, 'TOKEN-ERROR-BODY').status, 'failed');
    assert.deepEqual(clause(v, 'TOKEN-ERROR-BODY').failures, [{ request: 'B', message: 'TOKEN-ERROR-BODY: expected x; saw y' }]);
  });

  it('a clause with only skipped checks is skipped, with the reasons, never passed', () => {
    const v = verdictOf([{ title: 'EXPIRY-REJECTED: x [skipped: no expired access token]', request: 'E', status: 'skipped' }]);
    assert.equal(clause(v, 'EXPIRY-REJECTED').status, 'skipped');
    assert.deepEqual(clause(v, 'EXPIRY-REJECTED').skipReasons, ['no expired access token']);
  });

  it('a clause with no result at all is missing, and missing or skipped in-profile clauses are shortfalls', () => {
    const v = verdictOf([{ title: 'EXPIRY-REJECTED: x [skipped: none]', request: 'E', status: 'skipped' }]);
    assert.equal(clause(v, 'TOKEN-PASSWORD-200').status, 'missing');
    const gaps = shortfalls(v);
    assert.ok(gaps.missing.some((c) => c.clause === 'TOKEN-PASSWORD-200'));
    assert.ok(gaps.skipped.some((c) => c.clause === 'EXPIRY-REJECTED'));
    assert.ok(!shortfalls(v, ['EXPIRY-REJECTED']).skipped.some((c) => c.clause === 'EXPIRY-REJECTED'));
  });

  it('strict-only clauses are out of the documented profile and never shortfalls there', () => {
    const v = verdictOf([]);
    assert.equal(clause(v, 'RFC-TOKEN-NO-STORE').inProfile, false);
    assert.ok(!shortfalls(v).missing.some((c) => c.clause === 'RFC-TOKEN-NO-STORE'));
  });

  it('keeps tests without a clause ID as unattributed instead of dropping them', () => {
    const v = verdictOf([{ title: 'my own test', request: 'Mine', status: 'failed', message: 'no' }]);
    assert.equal(v.unattributed.length, 1);
  });
});
