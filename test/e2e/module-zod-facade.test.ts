import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, repoRoot, sandbox, type Sandbox } from '../support/cli.js';

// A module outside any dispatchkit install (the user layer under DISPATCH_HOME) resolves both
// 'dispatchkit' and 'zod' to the running CLI through the resolve hook. Both must be the same
// loaded core: one zod, so schema descriptions and instance checks carry over.
let box: Sandbox;
beforeEach(() => (box = sandbox()));
afterEach(() => box.cleanup());

const moduleSource = `import { z } from 'zod';
import zodDefault, { object, string } from 'zod';
import * as dk from 'dispatchkit';

export default dk.defineModule({
  name: 'zmod',
  version: '1.0.0',
  actions: {
    probe: dk.defineAction({
      description: 'reports which zod it sees',
      schema: z.object({ name: z.string().min(2).describe('who to greet') }),
      handler: async (_ctx, p) => ({
        response: {
          greeting: 'hello ' + p.name,
          sameZ: z === dk.z && zodDefault === dk.z,
          namedExports: object === dk.z.object && string === dk.z.string,
          schemaIsZodType: z.string() instanceof dk.z.ZodType,
        },
      }),
    }),
  },
});
`;

describe("a user-layer module importing 'zod' directly", () => {
  it("gets the CLI's zod: same instance, named and default exports, descriptions in schema action", async () => {
    const dir = path.join(box.home, 'modules', 'zmod');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'module.json'), JSON.stringify({ name: 'zmod', version: '1.0.0', entry: 'index.mjs' }));
    fs.writeFileSync(path.join(dir, 'index.mjs'), moduleSource);
    box.write('jobs/z.job.case.json', job([{ id: 'p', action: 'zmod.probe', payload: { name: 'Ada' } }]));

    const r = await box.json(['job', 'run', '--case', 'jobs/z.job.case.json']);
    expect(r.code).toBe(0);
    const step = JSON.parse(fs.readFileSync(path.join(r.json.runDir, 'steps.jsonl'), 'utf8').split('\n')[0]);
    expect(step.response).toEqual({ greeting: 'hello Ada', sameZ: true, namedExports: true, schemaIsZodType: true });

    const schema = await box.json(['schema', 'action', '--name', 'zmod.probe', '--print']);
    expect(schema.json.schema.input.properties.name).toMatchObject({ type: 'string', minLength: 2, description: 'who to greet' });

    box.write('jobs/bad.job.case.json', job([{ id: 'p', action: 'zmod.probe', payload: { name: 'A' } }]));
    const bad = await box.json(['job', 'validate', '--case', 'jobs/bad.job.case.json']);
    expect(bad.code).toBe(2);
    expect(bad.json.error.details.errors[0].path).toBe('$.scenario.steps[0].payload.name');
  });

  it('loads a module whose helper file imports zod, when dispatchkit resolves but zod does not (isolated installs)', async () => {
    // A project copy of dispatchkit without a zod next to it, as pnpm or npm's linked strategy lay it out.
    const copy = path.join(box.cwd, 'node_modules/dispatchkit');
    fs.mkdirSync(copy, { recursive: true });
    fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(copy, 'package.json'));
    fs.cpSync(path.join(repoRoot, 'dist'), path.join(copy, 'dist'), { recursive: true });
    box.write('modules/helpz/module.json', { name: 'helpz', version: '1.0.0', entry: 'index.mjs' });
    fs.writeFileSync(path.join(box.cwd, 'modules/helpz/lib.mjs'), "import { z } from 'zod';\nexport const input = z.object({ n: z.number() });\n");
    fs.writeFileSync(
      path.join(box.cwd, 'modules/helpz/index.mjs'),
      "import { defineModule, defineAction } from 'dispatchkit';\nimport { input } from './lib.mjs';\nexport default defineModule({ name: 'helpz', version: '1.0.0', actions: { echo: defineAction({ description: 'echo', schema: input, handler: async (_c, p) => ({ response: p }) }) } });\n",
    );
    box.write('jobs/h.job.case.json', job([{ id: 'e', action: 'helpz.echo', payload: { n: 3 } }]));
    const v = await box.json(['module', 'validate', '--path', 'modules/helpz']);
    expect(v.code).toBe(0);
    const r = await box.json(['job', 'run', '--case', 'jobs/h.job.case.json']);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('SUCCESS');
  });

  it("resolves 'zod/v4' to the CLI's zod, and refuses other zod sub-paths with a clear reason", async () => {
    const mod = (name: string, importLine: string) => {
      const dir = path.join(box.home, 'modules', name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'module.json'), JSON.stringify({ name, version: '1.0.0', entry: 'index.mjs' }));
      fs.writeFileSync(
        path.join(dir, 'index.mjs'),
        `${importLine}\nimport { defineModule, defineAction } from 'dispatchkit';\nexport default defineModule({ name: '${name}', version: '1.0.0', actions: { ok: defineAction({ description: 'ok', schema: z.object({}), handler: async () => ({ response: { ok: true } }) }) } });\n`,
      );
      return dir;
    };
    const v4 = mod('zv4', "import { z } from 'zod/v4';");
    const mini = mod('zmini', "import * as z from 'zod/mini';");
    expect((await box.json(['module', 'validate', '--path', v4])).code).toBe(0);
    const bad = await box.json(['module', 'validate', '--path', mini]);
    expect(bad.code).toBe(2);
    expect(JSON.stringify(bad.json)).toContain("dispatch provides 'zod' and 'zod/v4' to modules");
  });

  it('fails module validate for a schema that cannot be published as JSON Schema (another zod major)', async () => {
    box.write('modules/foreign/module.json', { name: 'foreign', version: '1.0.0', entry: 'index.mjs' });
    // Quacks like a schema (safeParse) but is not zod 4: what a project's zod 3 schema looks like to the CLI.
    fs.writeFileSync(
      path.join(box.cwd, 'modules/foreign/index.mjs'),
      "import { defineModule, defineAction } from 'dispatchkit';\nconst schema = { safeParse: (v) => ({ success: true, data: v }), parse: (v) => v };\nexport default defineModule({ name: 'foreign', version: '1.0.0', actions: { a: defineAction({ description: 'a', schema, handler: async () => ({ response: {} }) }) } });\n",
    );
    const r = await box.json(['module', 'validate', '--path', 'modules/foreign']);
    expect(r.code).toBe(2);
    expect(JSON.stringify(r.json)).toContain('SCHEMA_NOT_REPRESENTABLE');
  });
});
