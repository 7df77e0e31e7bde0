import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const WORKFLOWS_DIR = join(ROOT, '.github', 'workflows');
const VALIDATOR = join(ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
const SCRIPTS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

/** The parts of a workflow these tests read; the YAML is cast to it and then checked. */
interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, unknown>>;
}
interface Concurrency {
  readonly group: string;
  readonly 'cancel-in-progress': boolean | string;
}
interface Job {
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly uses?: string;
  readonly environment?: string;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly concurrency?: Concurrency;
  readonly strategy?: {
    readonly 'max-parallel'?: number;
    readonly matrix?: Readonly<Record<string, readonly unknown[]>>;
  };
  readonly steps?: readonly Step[];
}
interface Workflow {
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly concurrency?: Concurrency;
  readonly jobs: Readonly<Record<string, Job>>;
}

function loadWorkflow(file: string): { text: string; workflow: Workflow } {
  const text = readFileSync(join(WORKFLOWS_DIR, file), 'utf8');
  const document = parseDocument(text);
  assert.deepEqual(document.errors, [], `${file} should be well-formed YAML`);
  return { text, workflow: document.toJS() as Workflow };
}

const WORKFLOWS = {
  'ci.yml': loadWorkflow('ci.yml'),
  'nightly.yml': loadWorkflow('nightly.yml'),
};

function steps(job: Job): readonly Step[] {
  return job.steps ?? [];
}

function allSteps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs).flatMap(steps);
}

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : [...job.needs];
}

/** The index of the first step whose `uses` or `run` contains the text; -1 when none. */
function stepIndex(job: Job, text: string): number {
  return steps(job).findIndex((step) => (step.uses ?? step.run ?? '').includes(text));
}

function stepWith(job: Job, text: string): Step {
  const step = steps(job)[stepIndex(job, text)];
  assert.ok(step, `a step should use or run ${text}`);
  return step;
}

/** Scripts named by `npm run X` (or `npm run-script X`) and `npm test`, in one `run:` script. */
function npmScriptsCalled(run: string): string[] {
  const called = [...run.matchAll(/\bnpm\s+(?:run|run-script)\s+([\w:.-]+)/g)].map((match) => match[1]);
  if (/\bnpm\s+(?:test|t)\b/.test(run)) called.push('test');
  return called;
}

const PINNED_USES = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$/;
const USES_LINE = /^\s*(?:-\s+)?uses:\s*(\S+)(?:\s+#\s*(.*?))?\s*$/;

function runValidator(path: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [VALIDATOR, path], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('.github/workflows', () => {
  for (const [file, { text, workflow }] of Object.entries(WORKFLOWS)) {
    describe(file, () => {
      it('pins every action by a full commit SHA, local actions excepted', () => {
        const uses = [
          ...Object.values(workflow.jobs).flatMap((job) => (job.uses ? [job.uses] : [])),
          ...allSteps(workflow).flatMap((step) => (step.uses ? [step.uses] : [])),
        ];
        assert.ok(uses.length > 0);
        for (const ref of uses.filter((ref) => !ref.startsWith('./'))) {
          assert.match(ref, PINNED_USES, `${ref} should be owner/repo@<40-hex commit SHA>`);
        }
      });

      it('names the release of every pinned SHA in a # vX.Y.Z comment', () => {
        const lines = text.split('\n').filter((line) => USES_LINE.test(line));
        const parsed = allSteps(workflow).filter((step) => step.uses).length;
        assert.equal(lines.length, parsed, 'every uses: should sit on a line of its own');
        for (const line of lines) {
          const [, ref, comment] = USES_LINE.exec(line) ?? [];
          if (ref.startsWith('./')) continue;
          assert.match(comment ?? '', /^v\d+\.\d+\.\d+$/, `${ref} should carry a # vX.Y.Z comment`);
        }
      });

      it('calls only npm scripts that package.json defines', () => {
        const called = allSteps(workflow).flatMap((step) => (step.run ? npmScriptsCalled(step.run) : []));
        assert.ok(called.length > 0);
        for (const script of called) {
          assert.ok(script in SCRIPTS, `npm run ${script} is not a script of package.json`);
        }
      });

      it('keeps every secret and expression out of run scripts, passing them through env', () => {
        for (const step of allSteps(workflow)) {
          assert.doesNotMatch(step.run ?? '', /\$\{\{/, `${step.name ?? step.run}: use env, not \${{ }} in run`);
        }
      });

      it('grants contents: read at the top, and no write permission beyond checks', () => {
        assert.deepEqual(workflow.permissions, { contents: 'read' });
        for (const [name, job] of Object.entries(workflow.jobs)) {
          for (const [scope, level] of Object.entries(job.permissions ?? {})) {
            if (level === 'write') assert.equal(scope, 'checks', `${name} should not get ${scope}: write`);
          }
          const publishes = stepIndex(job, 'action-junit-report') >= 0;
          assert.equal(job.permissions?.checks === 'write', publishes, `${name}: checks: write only to publish JUnit`);
        }
      });

      it('passes validation by @action-validator/cli', () => {
        const { status, output } = runValidator(join(WORKFLOWS_DIR, file));
        assert.equal(status, 0, output);
      });

      it('scans the reports before anything is published or uploaded, and publishes only a clean scan', () => {
        for (const [name, job] of Object.entries(workflow.jobs)) {
          const scan = stepIndex(job, 'npm run scan-reports');
          for (const action of ['action-junit-report', 'actions/upload-artifact']) {
            const at = stepIndex(job, action);
            if (at < 0) continue;
            assert.ok(scan >= 0 && scan < at, `${name}: npm run scan-reports should run before ${action}`);
            const step = steps(job)[at];
            assert.match(step.if ?? '', /always\(\)/, `${name}: ${action} should run even after a failed contract`);
            assert.match(step.if ?? '', /steps\.scan\.outcome == 'success'/);
          }
        }
      });
    });
  }

  it('pins each action at one SHA and release across all workflows', () => {
    const pins = new Map<string, string>();
    for (const { text } of Object.values(WORKFLOWS)) {
      for (const line of text.split('\n')) {
        const [, ref, comment] = USES_LINE.exec(line) ?? [];
        if (!ref || ref.startsWith('./')) continue;
        const [action, sha] = ref.split('@');
        const repo = action.split('/').slice(0, 2).join('/');
        const pin = `${sha} # ${comment}`;
        assert.equal(pins.get(repo) ?? pin, pin, `${repo} is pinned at two different commits`);
        pins.set(repo, pin);
      }
    }
  });

  it('is rejected by @action-validator/cli when a workflow is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-test-'));
    try {
      const path = join(dir, 'broken.yml');
      writeFileSync(path, 'on: pushed\njobs:\n  x:\n    runs-onn: ubuntu-24.04\n    steps: []\n');
      assert.notEqual(runValidator(path).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('ci.yml, the gate of every change', () => {
    const { workflow } = WORKFLOWS['ci.yml'];
    const { test, contract, gate } = workflow.jobs;

    it('runs on pull requests and on pushes to main', () => {
      assert.ok('pull_request' in workflow.on);
      assert.deepEqual(workflow.on.push, { branches: ['main'] });
    });

    it('cancels a superseded run of the same ref', () => {
      assert.match(workflow.concurrency?.group ?? '', /\$\{\{\s*github\.ref\s*\}\}/);
      assert.notEqual(workflow.concurrency?.['cancel-in-progress'] ?? false, false);
    });

    it('tests on Node 20.x and 22.x with the npm cache', () => {
      assert.deepEqual(test.strategy?.matrix?.['node-version'], ['20.x', '22.x']);
      const setupNode = stepWith(test, 'actions/setup-node');
      assert.equal(setupNode.with?.['node-version'], '${{ matrix.node-version }}');
      assert.equal(setupNode.with?.cache, 'npm');
    });

    it('installs, lints, type-checks, tests and checks the collections, in that order', () => {
      const order = ['npm ci', 'npm run lint', 'npm run typecheck', 'npm test', 'npm run check:collections'].map(
        (command) => stepIndex(test, command),
      );
      assert.ok(order.every((at) => at >= 0), `missing a step: ${order.join(', ')}`);
      assert.deepEqual([...order].sort((a, b) => a - b), order);
    });

    it('runs the contract in both profiles into separate report directories, after the tests', () => {
      assert.deepEqual(needsOf(contract), ['test']);
      const runs = steps(contract).flatMap((step) => (step.run?.includes('npm run contract') ? [step.run] : []));
      assert.deepEqual(
        runs.map((run) => /--profile (\w+)/.exec(run)?.[1]),
        ['documented', 'strict'],
      );
      const dirs = runs.map((run) => /--reports-dir (\S+)/.exec(run)?.[1]);
      assert.equal(new Set(dirs).size, 2, `report directories should differ: ${dirs.join(', ')}`);
    });

    it('gates on every other job, and runs even when they failed or were skipped', () => {
      const others = Object.keys(workflow.jobs).filter((name) => name !== 'gate');
      assert.deepEqual(needsOf(gate).sort(), others.sort());
      assert.match(gate.if ?? '', /always\(\)/);
    });

    describe('the gate step', () => {
      const gateStep = steps(gate)[0];
      const results = (test: string, contract: string) =>
        JSON.stringify({ test: { result: test, outputs: {} }, contract: { result: contract, outputs: {} } });
      const runGate = (needs: string) =>
        spawnSync('bash', ['-e', '-c', gateStep.run ?? 'exit 99'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, RESULTS: needs },
        }).status;

      before(function () {
        // The gate runs jq, which GitHub's runners ship; where it is missing, say so and skip.
        if (spawnSync('jq', ['--version']).status !== 0) this.skip();
      });

      it('reads the results of its needs', () => {
        assert.equal(gateStep.env?.RESULTS, '${{ toJSON(needs) }}');
      });

      it('passes when every needed job succeeded', () => {
        assert.equal(runGate(results('success', 'success')), 0);
      });

      for (const outcome of ['failure', 'cancelled', 'skipped']) {
        it(`fails when a needed job ended ${outcome}`, () => {
          assert.notEqual(runGate(results('success', outcome)), 0);
        });
      }

      it('fails when it sees no results at all', () => {
        assert.notEqual(runGate('{}'), 0);
      });
    });
  });

  describe('nightly.yml, the live run', () => {
    const { workflow } = WORKFLOWS['nightly.yml'];
    const jobs = Object.values(workflow.jobs);
    const live = jobs[0];

    it('runs on a schedule and on demand', () => {
      const schedule = workflow.on.schedule as { cron: string }[];
      assert.match(schedule[0].cron, /^\S+ \S+ \S+ \S+ \S+$/);
      assert.ok('workflow_dispatch' in workflow.on);
    });

    it('runs one job per MediRoutes environment, each in its GitHub environment', () => {
      assert.equal(jobs.length, 1);
      assert.deepEqual(live.strategy?.matrix?.environment, ['test', 'production']);
      assert.equal(live.environment, '${{ matrix.environment }}');
    });

    it('never runs two jobs on one account at once, within a run or across runs', () => {
      assert.equal(live.strategy?.['max-parallel'], 1);
      assert.match(live.concurrency?.group ?? '', /\$\{\{\s*matrix\.environment\s*\}\}/);
      assert.equal(live.concurrency?.['cancel-in-progress'], false);
    });

    it('gives the harness its secrets and variables through env only', () => {
      const contract = stepWith(live, 'npm run contract');
      for (const name of ['MEDIROUTES_USERNAME', 'MEDIROUTES_PASSWORD', 'MEDIROUTES_NEGATIVE_USERNAME']) {
        assert.equal(contract.env?.[name], `\${{ secrets.${name} }}`);
      }
      for (const name of ['MEDIROUTES_BASE_URL', 'MEDIROUTES_RESOURCE_PATH']) {
        assert.equal(contract.env?.[name], `\${{ vars.${name} }}`);
      }
      assert.match(String(contract.env?.MEDIROUTES_PROFILES), /vars\.MEDIROUTES_PROFILES/);
    });

    it('runs the configured profiles one after another, each into its own report directory', () => {
      const run = stepWith(live, 'npm run contract').run ?? '';
      assert.match(run, /for profile in \$MEDIROUTES_PROFILES/);
      assert.match(run, /--profile "\$profile"/);
      assert.match(run, /--reports-dir "reports\/\$profile"/);
    });

    it('refuses to run without a live base URL, so a missing variable cannot test the embedded server green', () => {
      assert.match(stepWith(live, 'npm run contract').run ?? '', /--require-base-url/);
    });

    it('EXPIRY-REJECTED: allows the skip only when no saved token exists yet', () => {
      const run = stepWith(live, 'npm run contract').run ?? '';
      assert.match(run, /else[^]*--allow-skip EXPIRY-REJECTED[^]*fi/);
      assert.ok(!/args=\([^)]*--allow-skip/.test(run), 'never allowed unconditionally');
    });

    it('EXPIRY-REJECTED: hands the run a saved token and saves the new one, under runner.temp', () => {
      const run = stepWith(live, 'npm run contract').run ?? '';
      assert.match(run, /--expired-token-file/);
      assert.match(run, /--save-token/);
      const restore = stepWith(live, 'actions/cache/restore');
      const save = stepWith(live, 'actions/cache/save');
      assert.ok(stepIndex(live, 'actions/cache/restore') < stepIndex(live, 'npm run contract'));
      assert.ok(stepIndex(live, 'actions/cache/save') > stepIndex(live, 'npm run contract'));
      for (const step of [restore, save]) {
        assert.match(String(step.with?.path), /^\$\{\{ runner\.temp \}\}\//);
        assert.match(String(step.with?.key), /\$\{\{ matrix\.environment \}\}-\$\{\{ github\.run_id \}\}/);
      }
      assert.equal(restore.with?.path, save.with?.path);
      assert.equal(restore.with?.key, save.with?.key);
      assert.equal(String(restore.with?.['restore-keys']).trim(), 'mediroutes-expiry-proof-${{ matrix.environment }}-');
      assert.match(save.if ?? '', /always\(\)/, 'the token is saved even when a clause failed');
    });
  });
});
