// The docs are part of the product: every `dispatch ...` command README.md and SKILL.md show must
// parse in the real CLI, and every whole example job in the docs (and every shipped job file) must
// pass `dispatch job validate` with the built binary.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { repoRoot, sandbox, type Sandbox } from '../support/cli.js';
import { commandProblems, docFiles, dummyEnv, exampleJobs, exampleModules, jobKind, shownCommands, splitMarkdown } from '../support/doc-snippets.js';

const read = (rel: string) => fs.readFileSync(path.join(repoRoot, rel), 'utf8');
const program = buildProgram({});
const docs = docFiles(repoRoot);

describe('commands shown in the docs exist in the CLI', () => {
  for (const file of ['README.md', 'SKILL.md']) {
    it(`${file}: every command path, flag and argument parses`, () => {
      const shown = shownCommands(file, read(file));
      // A doc that lost its examples should fail too, not pass vacuously.
      expect(shown.filter((c) => c.runnable).length).toBeGreaterThan(10);
      const problems = shown.flatMap((c) => commandProblems(program, c).map((p) => `${c.where} ${p}`));
      expect(problems).toEqual([]);
    });
  }

  it('the checker catches what it is meant to catch', () => {
    const check = (line: string, runnable = true) => shownCommands('x.md', `\`\`\`sh\n${line}\n\`\`\``).flatMap((c) => commandProblems(program, { ...c, runnable }));
    expect(check('dispatch job launch --case a.job.case.json')).toEqual([expect.stringContaining('"job launch" is not a command')]);
    expect(check('dispatch job run --case a.job.case.json --fast')).toEqual([expect.stringContaining('unknown flag --fast')]);
    expect(check('dispatch job run --case')).toEqual([expect.stringContaining('--case needs a value')]);
    expect(check('dispatch module pack --path modules/x')).toEqual([expect.stringContaining('missing required flag --out')]);
    expect(check('dispatch module inspect')).toEqual([expect.stringContaining('missing argument <name>')]);
    expect(check('dispatch job list extra')).toEqual([expect.stringContaining('unexpected argument(s) extra')]);
    expect(check('dispatch job')).toEqual([expect.stringContaining('needs a subcommand')]);
    expect(check('dispatch defaults show|sett')).toEqual([expect.stringContaining('"defaults sett" is not a command')]);
    // Shell around the command is not part of it; placeholders and optional brackets are fine.
    expect(check('source <(dispatch completion bash) && echo ok')).toEqual([]);
    expect(check('$ dispatch job inspect --run-id <id|latest> [--step <n|id>] --json  # one step')).toEqual([]);
    expect(check('dispatch job dump --run-id latest --out run.json > /dev/null')).toEqual([]);
  });

  it('README.md sets up a fresh clone with exactly two commands', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Set up'), readme.indexOf('\n## ', readme.indexOf('## Set up') + 1));
    const first = splitMarkdown(section).blocks[0];
    expect(first.body.split('\n').filter((l) => l.trim())).toEqual(['npm ci && npm run demo', 'npm test']);
    const scripts = JSON.parse(read('package.json')).scripts;
    expect(scripts).toMatchObject({ demo: expect.any(String), test: expect.any(String), prepare: expect.stringContaining('build') });
  });
});

// Examples, found once at collection time so each gets its own test.
const examples = docs.flatMap((file) => exampleJobs(file, read(file)));
const modules = docs.flatMap((file) => exampleModules(file, read(file)));
const shippedJobs = ['jobs', ...fs.readdirSync(path.join(repoRoot, 'modules')).map((m) => `modules/${m}/jobs`)]
  .filter((dir) => fs.existsSync(path.join(repoRoot, dir)))
  .flatMap((dir) =>
    fs
      .readdirSync(path.join(repoRoot, dir))
      .filter((f) => /\.job\.(case|seed)\.json$/.test(f))
      .map((f) => `${dir}/${f}`),
  );

describe('example jobs validate', () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox('dispatch-docs-');
    // A repo layer holding the repo's modules plus every module the docs write out in full, so a
    // doc job may use an action another doc defines (README's credentials example uses admin.*).
    fs.cpSync(path.join(repoRoot, 'modules'), path.join(box.cwd, 'modules'), { recursive: true });
    for (const m of modules) {
      const dir = path.join(box.cwd, 'modules', m.name);
      if (fs.existsSync(dir)) continue;
      box.write(path.join(dir, 'module.json'), { name: m.name, version: m.version, entry: 'index.mjs' });
      box.write(path.join(dir, 'index.mjs'), m.source);
    }
  });
  afterAll(() => box.cleanup());

  it('finds the examples it is meant to check', () => {
    expect(examples.filter((e) => e.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(3);
    expect(examples.some((e) => e.where.startsWith('SKILL.md'))).toBe(true);
    expect(shippedJobs).toContain('jobs/flow-sleep.job.case.json');
    expect(shippedJobs.length).toBeGreaterThanOrEqual(7);
  });

  it.each(modules.map((m) => [m.where, m] as const))('module written out in %s loads and validates', async (_where, m) => {
    const r = await box.json(['module', 'validate', '--path', path.join('modules', m.name)]);
    expect(r.json.error ?? null).toBeNull();
    expect(r.code).toBe(0);
  });

  it.each(examples.map((e) => [e.where, e] as const))('job in %s validates', async (where, e) => {
    expect(e.job, `${where}: looks like a whole job but is not valid JSON`).not.toBeNull();
    const slug = where.replace(/[^A-Za-z0-9]+/g, '-');
    const file = box.write(`examples/${slug}.job.${jobKind(e.job)}.json`, e.job);
    const r = await box.json(['job', 'validate', '--case', file], { env: dummyEnv(e.text) });
    expect(r.json.errors ?? r.json.error ?? []).toEqual([]);
    expect(r.json).toMatchObject({ status: 'SUCCESS', valid: true });
  });

  it.each(shippedJobs)('shipped %s validates', async (rel) => {
    const r = await box.json(['job', 'validate', '--case', rel], { cwd: repoRoot, env: dummyEnv(read(rel)) });
    expect(r.json.errors ?? r.json.error ?? []).toEqual([]);
    expect(r.json).toMatchObject({ status: 'SUCCESS', valid: true });
  });
});
