/**
 * Process exit codes shared by every entry point (`npm run contract`, live mocha, scan-reports).
 *
 * CI and the nightly job branch on these, so each configuration mistake has its own code: a
 * red nightly that exits 10 says "the credentials secret is missing" before anyone opens a log,
 * and a contract failure (1) is never confused with a harness that could not start.
 *
 * | code | name                  | meaning                                                                      |
 * |-----:|-----------------------|------------------------------------------------------------------------------|
 * |    0 | OK                    | every clause of the profile passed (skipped clauses are listed)              |
 * |    1 | CONTRACT_FAILED       | at least one clause of the profile failed                                    |
 * |    2 | USAGE                 | unknown flag, flag without its value, unexpected argument, missing directory |
 * |    9 | MISSING_BASE_URL      | --require-base-url (MEDIROUTES_REQUIRE_BASE_URL) without a base URL          |
 * |   10 | MISSING_CREDENTIALS   | a base URL without MEDIROUTES_USERNAME / MEDIROUTES_PASSWORD                 |
 * |   11 | MALFORMED_URL         | base URL unparsable, not http(s), or with credentials, query or fragment     |
 * |   12 | INSECURE_HTTP         | plain http:// to a non-loopback host without --allow-insecure-http           |
 * |   13 | UNKNOWN_PROFILE       | profile other than documented or strict                                      |
 * |   14 | BAD_RESOURCE_PATH     | resource path not starting with a single '/'                                 |
 * |   15 | MISSING_RESOURCE_PATH | a base URL without a resource path                                           |
 * |   16 | BAD_NUMBER            | timeout, budget or clock skew not a whole number in range                    |
 * |   17 | BAD_TOKEN_PATH        | token path not starting with a single '/'                                    |
 * |   18 | BAD_BOOLEAN           | a yes/no variable that is not 1/0/true/false/yes/no/on/off                   |
 * |   19 | UNSAFE_TOKEN_FILE     | a token file inside the reports directory (reports are uploaded)             |
 * |   20 | TARGET_UNREACHABLE    | the target refused, timed out, reset, or failed DNS/TLS (also mid-run)      |
 * |   21 | SECRET_LEAK           | the artifact scan found a credential or token in the reports                 |
 * |   70 | INTERNAL              | a defect in the harness itself                                               |
 */
export const EXIT = {
  OK: 0,
  CONTRACT_FAILED: 1,
  USAGE: 2,
  MISSING_BASE_URL: 9,
  MISSING_CREDENTIALS: 10,
  MALFORMED_URL: 11,
  INSECURE_HTTP: 12,
  UNKNOWN_PROFILE: 13,
  BAD_RESOURCE_PATH: 14,
  MISSING_RESOURCE_PATH: 15,
  BAD_NUMBER: 16,
  BAD_TOKEN_PATH: 17,
  BAD_BOOLEAN: 18,
  UNSAFE_TOKEN_FILE: 19,
  TARGET_UNREACHABLE: 20,
  SECRET_LEAK: 21,
  INTERNAL: 70,
} as const;

export type ExitName = keyof typeof EXIT;

/** One line per code, for --help (the table above is the same text for the README). */
export const EXIT_MEANINGS: Readonly<Record<ExitName, string>> = {
  OK: 'every clause of the profile passed (skipped clauses are listed)',
  CONTRACT_FAILED: 'at least one clause of the profile failed',
  USAGE: 'unknown flag, flag without its value, unexpected argument, missing directory',
  MISSING_BASE_URL: '--require-base-url (MEDIROUTES_REQUIRE_BASE_URL) without a base URL',
  MISSING_CREDENTIALS: 'a base URL without MEDIROUTES_USERNAME / MEDIROUTES_PASSWORD',
  MALFORMED_URL: 'base URL unparsable, not http(s), or with credentials, query or fragment',
  INSECURE_HTTP: 'plain http:// to a non-loopback host without --allow-insecure-http',
  UNKNOWN_PROFILE: 'profile other than documented or strict',
  BAD_RESOURCE_PATH: "resource path not starting with a single '/'",
  MISSING_RESOURCE_PATH: 'a base URL without a resource path',
  BAD_NUMBER: 'timeout, budget or clock skew not a whole number in range',
  BAD_TOKEN_PATH: "token path not starting with a single '/'",
  BAD_BOOLEAN: 'a yes/no variable that is not 1/0/true/false/yes/no/on/off',
  UNSAFE_TOKEN_FILE: 'a token file inside the reports directory (reports are uploaded)',
  TARGET_UNREACHABLE: 'the target refused, timed out, reset, or failed DNS/TLS, before or during the run',
  SECRET_LEAK: 'the artifact scan found a credential or token in the reports',
  INTERNAL: 'a defect in the harness itself',
};
export type ExitCode = (typeof EXIT)[ExitName];
