import { Command } from 'commander';
import { wire, type Wiring } from './define.js';

export function moduleCommands(w: Wiring): Command {
  const mod = new Command('module').description('discover, author, pack and install modules');
  wire(w, mod.command('list').description('modules and actions in every layer'), 'module list', () => import('../commands/module/list.js'));
  wire(w, mod.command('inspect').argument('<name>', 'module name').description('actions, schemas and shipped jobs of a module'), 'module inspect', () => import('../commands/module/inspect.js'));
  wire(
    w,
    mod.command('validate').description('load a module folder and validate it and its jobs').requiredOption('--path <dir>', 'module folder'),
    'module validate',
    () => import('../commands/module/validate.js'),
  );
  wire(
    w,
    mod.command('init').description('scaffold a new module').requiredOption('--name <name>', 'module name').requiredOption('--out <dir>', 'folder to create'),
    'module init',
    () => import('../commands/module/init.js'),
  );
  wire(
    w,
    mod.command('pack').description('zip a module into a bundle').requiredOption('--path <dir>', 'module folder').requiredOption('--out <file>', 'bundle file (.dpmod.zip)'),
    'module pack',
    () => import('../commands/module/pack.js'),
  );
  wire(w, mod.command('install').description('install a bundle into the user layer').requiredOption('--bundle <file>', 'bundle file'), 'module install', () => import('../commands/module/install.js'));
  wire(
    w,
    mod.command('uninstall').description('remove a module from the user layer').requiredOption('--name <name>', 'module name'),
    'module uninstall',
    () => import('../commands/module/uninstall.js'),
  );
  const override = mod.command('override').description('serve one action from another module folder');
  wire(
    w,
    override.command('init').description('scaffold an override module for one action').requiredOption('--from <module.action>', 'action to override').requiredOption('--out <dir>', 'folder to create'),
    'module override init',
    () => import('../commands/module/override-init.js'),
  );
  wire(
    w,
    override
      .command('add')
      .description('register a runtime override')
      .requiredOption('--module <module>', 'module name')
      .requiredOption('--action <action>', 'action name')
      .option('--path <dir>', 'override module folder'),
    'module override add',
    () => import('../commands/module/override-add.js'),
  );
  return mod;
}

export function runtimeCommands(w: Wiring): Command {
  const rt = new Command('runtime').description('runtime overrides');
  wire(w, rt.command('show').description('overrides and the effective resolution'), 'runtime show', () => import('../commands/runtime/show.js'));
  wire(
    w,
    rt
      .command('unset')
      .description('remove overrides: one with --action, or every one with --all')
      .usage('(--action <module.action> | --all) [--json]')
      .option('--action <module.action>', 'one override')
      .option('--all', 'every override'),
    'runtime unset',
    () => import('../commands/runtime/unset.js'),
  );
  return rt;
}

export function defaultsCommands(w: Wiring): Command {
  const d = new Command('defaults').description('per-action default payloads');
  wire(w, d.command('show').description('show defaults').option('--action <module.action>', 'one action'), 'defaults show', () => import('../commands/defaults/show.js'));
  wire(
    w,
    d.command('set').description('set defaults for an action from a JSON file').requiredOption('--action <module.action>', 'action').requiredOption('--file <path>', 'JSON object file'),
    'defaults set',
    () => import('../commands/defaults/set.js'),
  );
  wire(w, d.command('unset').description('remove defaults for an action').requiredOption('--action <module.action>', 'action'), 'defaults unset', () => import('../commands/defaults/unset.js'));
  return d;
}

export function memoryCommands(w: Wiring): Command {
  const m = new Command('memory').description('durable namespaced state');
  wire(w, m.command('list').description('namespaces with key counts and sizes'), 'memory list', () => import('../commands/memory/list.js'));
  wire(w, m.command('inspect').description('contents of one namespace').requiredOption('--namespace <name>', 'namespace'), 'memory inspect', () => import('../commands/memory/inspect.js'));
  return m;
}

export function schemaCommands(w: Wiring): Command {
  const s = new Command('schema').description('JSON Schemas of job cases and actions');
  wire(w, s.command('case').description('JSON Schema of a job case file').option('--print', 'print the schema'), 'schema case', () => import('../commands/schema/case.js'));
  wire(
    w,
    s.command('action').description('input, exports and credential schema of an action').requiredOption('--name <module.action>', 'action').option('--print', 'print the schema'),
    'schema action',
    () => import('../commands/schema/action.js'),
  );
  return s;
}

export function utilityCommands(w: Wiring): Command[] {
  return [
    wire(w, new Command('doctor').description('check node, folders, modules and env vars'), 'doctor', () => import('../commands/misc/doctor.js')),
    wire(w, new Command('self-check').description('offline smoke test in temporary folders'), 'self-check', () => import('../commands/misc/self-check.js'), { runsJobs: true }),
    wire(
      w,
      new Command('skill-version').description('version of SKILL.md and of the CLI').option('--check <path>', 'compare a copy of SKILL.md'),
      'skill-version',
      () => import('../commands/misc/skill-version.js'),
    ),
    wire(w, new Command('completion').argument('<shell>', 'bash, zsh or fish').description('shell completion script'), 'completion', () => import('../commands/misc/completion.js')),
    wire(w, new Command('mcp').description('serve the commands as MCP tools over stdio (for agent hosts)'), 'mcp', () => import('../commands/misc/mcp.js')),
  ];
}
