import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { job, sandbox, type Sandbox } from '../support/cli.js';

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
});
