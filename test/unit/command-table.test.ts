import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandTree, allNodes } from '../../src/agent/command-tree.js';
import { COMMAND_OPTIONS } from '../../src/cli/command-options.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { flagsOf } from '../../src/cli/flags.js';
import { buildProgram } from '../../src/cli/program.js';
import { toolsOf } from '../../src/mcp/tools.js';

const TOOLS = toolsOf(COMMANDS);

// The command table is the one definition of every command: these checks fail when the CLI,
// MCP or completion would show something the table does not declare, or miss something it does.

const program = buildProgram({});

function find(path: string): Command | undefined {
  let cmd: Command | undefined = program;
  for (const word of path.split(' ')) cmd = cmd?.commands.find((c) => c.name() === word);
  return cmd;
}

function leaves(cmd: Command, prefix = ''): string[] {
  return cmd.commands.flatMap((c) => {
    const path = prefix ? `${prefix} ${c.name()}` : c.name();
    return c.commands.length ? leaves(c, path) : [path];
  });
}

const argumentName = (f: { key: string; kind: string; value?: string }) => (f.kind === 'list' ? f.key : f.value);

describe('the command table', () => {
  it('declares exactly the commands the CLI parses, with the flags read off their options', () => {
    expect(leaves(program).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
    for (const spec of COMMANDS) {
      const cmd = find(spec.name)!;
      const flags = flagsOf(COMMAND_OPTIONS[spec.name]).filter((f) => f.key !== spec.positional);
      const shown = cmd.options.filter((o) => o.long !== '--json');
      expect(
        shown.map((o) => o.long),
        spec.name,
      ).toEqual(flags.map((f) => f.long));
      for (const f of flags) {
        const o = shown.find((x) => x.long === f.long)!;
        expect(o.mandatory, `${spec.name} ${f.long}`).toBe(f.required);
        expect(o.defaultValue, `${spec.name} ${f.long}`).toEqual(f.default);
        expect(o.description, `${spec.name} ${f.long}`).toBe(f.description);
        expect(Boolean(o.required), `${spec.name} ${f.long} takes a value`).toBe(f.kind !== 'boolean');
      }
      expect(
        cmd.registeredArguments.map((a) => a.name()),
        spec.name,
      ).toEqual(spec.positional ? [argumentName(flagsOf(COMMAND_OPTIONS[spec.name]).find((f) => f.key === spec.positional)!)] : []);
      // A list positional is variadic (`job test [paths...]`) and optional unless its option is required.
      const arg = cmd.registeredArguments[0];
      if (arg) {
        const f = flagsOf(COMMAND_OPTIONS[spec.name]).find((x) => x.key === spec.positional)!;
        expect([arg.variadic, arg.required], spec.name).toEqual([f.kind === 'list', f.required]);
      }
      expect(cmd.description()).toBe(spec.summary);
    }
  });

  it('loads a real handler for every row', async () => {
    for (const spec of COMMANDS) {
      const mod = await spec.load();
      expect(typeof mod.default, spec.name).toBe('function');
    }
  });

  it('offers a tool for every row with tool facts, and only those', () => {
    expect(TOOLS.map((t) => t.command)).toEqual(COMMANDS.filter((c) => c.tool).map((c) => c.name));
    for (const t of TOOLS) {
      const keys = flagsOf(COMMAND_OPTIONS[t.command])
        .filter((f) => !f.cliOnly)
        .map((f) => f.key);
      expect(Object.keys(t.input.shape), t.name).toEqual(keys);
      // A tool that runs module code or writes files never claims to be read-only.
      const facts = COMMANDS.find((c) => c.name === t.command)!.tool!;
      expect(t.readOnly, t.name).toBe(!facts.writes && !facts.loadsModules);
    }
  });

  it('completes the closed sets of values the table declares', () => {
    const nodes = allNodes(commandTree(program));
    const assert = nodes.find((n) => n.path === 'job assert')!;
    expect(assert.flags.find((f) => f.long === '--expect-status')?.choices).toEqual(['SUCCESS', 'FAILED', 'INTERRUPTED']);
    expect(nodes.find((n) => n.path === 'completion')!.argChoices).toEqual(['bash', 'zsh', 'fish']);
    expect(nodes.find((n) => n.path === 'job run')!.flags.find((f) => f.long === '--case')?.value).toBe('path');
  });
});
