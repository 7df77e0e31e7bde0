import assert from 'node:assert/strict';

import { faultByName, FAULTS } from '../../scripts/lib/reference/faults';
import { DEFAULT_SERVE_PORT, parseServeArgs, serveUsage } from '../../scripts/lib/reference/parse-serve-args';

describe('parseServeArgs', () => {
  it('defaults to port 5080 on 127.0.0.1 with no fault', () => {
    assert.deepEqual(parseServeArgs([], {}), { kind: 'run', port: DEFAULT_SERVE_PORT, host: '127.0.0.1' });
  });

  it('reads --port, --host and --fault, with a space or an equals sign', () => {
    assert.deepEqual(parseServeArgs(['--port', '0', '--host=::1', '--fault=accepts-expired'], {}), {
      kind: 'run',
      port: 0,
      host: '::1',
      fault: faultByName('accepts-expired'),
    });
    assert.deepEqual(parseServeArgs(['--port=6000'], {}), { kind: 'run', port: 6000, host: '127.0.0.1' });
  });

  it('takes --expired-token-file for the file a separately started server writes its expired token to', () => {
    assert.deepEqual(parseServeArgs(['--expired-token-file', '/tmp/t.json'], {}), { kind: 'run', port: 5080, host: '127.0.0.1', expiredTokenFile: '/tmp/t.json' });
    assert.equal(parseServeArgs(['--expired-token-file'], {}).kind, 'error');
  });

  it('takes PORT from the environment, and --port over it', () => {
    assert.deepEqual(parseServeArgs([], { PORT: '7000' }), { kind: 'run', port: 7000, host: '127.0.0.1' });
    assert.deepEqual(parseServeArgs(['--port', '7001'], { PORT: '7000' }), { kind: 'run', port: 7001, host: '127.0.0.1' });
  });

  it('answers help for --help or -h, whatever else is given', () => {
    assert.deepEqual(parseServeArgs(['--help'], {}), { kind: 'help' });
    assert.deepEqual(parseServeArgs(['--port', 'x', '--help'], { PORT: 'y' }), { kind: 'help' });
    assert.deepEqual(parseServeArgs(['--bogus', '-h'], {}), { kind: 'help' });
  });

  const errors: Array<[string[], Record<string, string>, RegExp]> = [
    [['--bogus'], {}, /^unknown argument "--bogus"$/],
    [['extra'], {}, /^unknown argument "extra"$/],
    [['--port'], {}, /^--port needs a value$/],
    [['--port', '--host', 'h'], {}, /^--port needs a value$/],
    [['--host='], {}, /^--host needs a value$/],
    [['--port', '65536'], {}, /^--port must be a whole number from 0 to 65535, not "65536"$/],
    [['--port', '-1'], {}, /^--port must be/],
    [['--port', '80.5'], {}, /^--port must be/],
    [[], { PORT: 'eighty' }, /^PORT must be a whole number from 0 to 65535, not "eighty"$/],
    [['--fault', 'nope'], {}, /^unknown fault "nope"; --help lists them$/],
    [['--port', '1', '--port', '2'], {}, /^--port given twice$/],
  ];
  for (const [argv, env, message] of errors) {
    it(`refuses ${JSON.stringify(argv)}${Object.keys(env).length ? ` with ${JSON.stringify(env)}` : ''} with one clear line`, () => {
      const parsed = parseServeArgs(argv, env);
      assert.equal(parsed.kind, 'error');
      assert.match(parsed.kind === 'error' ? parsed.message : '', message);
    });
  }

  it('lists every fault in the help text', () => {
    const usage = serveUsage();
    for (const fault of FAULTS) assert.match(usage, new RegExp(`^  ${fault.name} +${fault.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  });
});
