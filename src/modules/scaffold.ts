import type { ActionSchemas } from './describe.js';

/** Files of a new module: a manifest and an entry that load, validate and run unchanged. */
export function moduleFiles(name: string): Array<{ path: string; data: string }> {
  const manifest = { name, version: '0.1.0', entry: 'index.mjs', description: `${name} actions (describe what API this module wraps)` };
  return [
    { path: 'module.json', data: `${JSON.stringify(manifest, null, 2)}\n` },
    { path: 'index.mjs', data: moduleEntry(name) },
  ];
}

function moduleEntry(name: string): string {
  return `// Runtime entry of the "${name}" module. 'dispatchkit' is resolved by the dispatch CLI that
// loads this file, so the module needs no dependencies of its own to run.
import { defineAction, defineModule, z } from 'dispatchkit';

// A handler receives (ctx, payload): the payload is already checked against \`schema\`.
// Talk to APIs through ctx.http (it carries the job's baseUrl, headers and cookie jar), and
// let ctx.http.ensureOk(res) turn non-2xx answers into errors with the right exit class.
async function echo(ctx, payload) {
  return {
    // What the API (here: nobody) answered. Later steps read it as \${step.<id>.response...}.
    response: { ok: true, received: payload },
    // Values this action produced for the same run, read as \${step.<id>.exports...}.
    exports: { length: payload.message.length },
    detail: 'replace echo with a real action',
  };
}

export default defineModule({
  name: '${name}',
  version: '0.1.0',
  actions: {
    echo: defineAction({
      description: 'Echo a message back (a placeholder to replace with a real action)',
      schema: z.object({
        message: z.string().min(1).describe('Text to send back'),
      }),
      exports: z.object({ length: z.number().int() }),
      handler: echo,
    }),
  },
});
`;
}

/**
 * Files of an override module for one action. The original action's input, exports and
 * credential schemas are carried over as JSON Schema (rebuilt with z.fromJSONSchema), so jobs that
 * validated against the original still validate against the override.
 */
export function overrideFiles(target: { module: string; action: string; version: string; description: string }, schemas: ActionSchemas): Array<{ path: string; data: string }> {
  const name = `${target.module}-override`;
  const manifest = { name, version: '0.1.0', entry: 'index.mjs', description: `Runtime override of ${target.module}.${target.action}` };
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  const strip = (s: Record<string, unknown>) => {
    const { $schema: _ignored, ...rest } = s;
    return rest;
  };
  const lines = [
    `// Override of ${target.module}.${target.action} (from ${target.module} ${target.version}).`,
    `// Register it with: dispatch module override add --module ${target.module} --action ${target.action} --path <this folder>`,
    `// Runs then record layer "override" for this action in module_resolution.json.`,
    `import { defineAction, defineModule, z } from 'dispatchkit';`,
    '',
    `// The original input schema as JSON Schema; replace it with a zod schema when you change the payload.`,
    `const inputSchema = ${json(strip(schemas.input))};`,
    '',
  ];
  if (schemas.exports) lines.push(`const exportsSchema = ${json(strip(schemas.exports))};`, '');
  if (schemas.credentials) lines.push(`const credentialSchema = ${json(strip(schemas.credentials))};`, '');
  lines.push(
    'async function handler(ctx, payload) {',
    '  // Replace with the behaviour you need; ctx.http, ctx.credential and ctx.memory work as usual.',
    `  return { response: { overridden: true, received: payload }, detail: 'served by ${name}' };`,
    '}',
    '',
    'export default defineModule({',
    `  name: '${name}',`,
    `  version: '0.1.0',`,
    '  actions: {',
    `    '${target.action}': defineAction({`,
    `      description: ${JSON.stringify(`${target.description} (override)`)},`,
    '      schema: z.fromJSONSchema(inputSchema),',
    ...(schemas.exports ? ['      exports: z.fromJSONSchema(exportsSchema),'] : []),
    ...(schemas.credentials ? ['      credentialSchema: z.fromJSONSchema(credentialSchema),'] : []),
    '      handler,',
    '    }),',
    '  },',
    '});',
    '',
  );
  return [
    { path: 'module.json', data: `${JSON.stringify(manifest, null, 2)}\n` },
    { path: 'index.mjs', data: lines.join('\n') },
  ];
}
