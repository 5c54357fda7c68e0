// Pulls what the Markdown docs show a reader: `dispatch ...` command lines, whole example jobs and
// example modules. The docs test checks each against the real CLI, so the docs cannot drift.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';

export interface Block {
  lang: string;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export interface ShownCommand {
  /** Words after `dispatch`. */
  words: string[];
  where: string;
  /** Taken from a code block, so it must be complete (required flags and arguments present). */
  runnable: boolean;
}

// Shell syntax that ends the dispatch command on a line (pipes, redirects, comments, prose arrows).
const STOP = /^(\||\|\||&&|;|>|>>|<|2>&1|->|→|#.*|\(.*)$/;

/** Every Markdown file that documents the product: root guides plus docs/**. */
export function docFiles(root: string): string[] {
  const top = ['README.md', 'SKILL.md', 'MODULE_AUTHORING.md', 'CONVENTIONS.md'].filter((f) => fs.existsSync(path.join(root, f)));
  const walk = (dir: string): string[] =>
    fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [])) : [];
  return [...top, ...walk(path.join(root, 'docs')).map((f) => path.relative(root, f))].sort();
}

/** Fenced code blocks, and the prose with those blocks blanked out (line numbers kept). */
export function splitMarkdown(text: string): { blocks: Block[]; prose: string } {
  const blocks: Block[] = [];
  const prose: string[] = [];
  let open: { fence: string; lang: string; line: number; lines: string[] } | null = null;
  text.split('\n').forEach((line, i) => {
    const fence = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (!open && fence) {
      open = { fence: fence[1], lang: fence[2].toLowerCase(), line: i + 1, lines: [] };
      prose.push('');
    } else if (open && line.trim().startsWith(open.fence) && line.trim().replace(/[`~]/g, '') === '') {
      blocks.push({ lang: open.lang, body: open.lines.join('\n'), line: open.line });
      open = null;
      prose.push('');
    } else if (open) {
      open.lines.push(line);
      prose.push('');
    } else prose.push(line);
  });
  return { blocks, prose: prose.join('\n') };
}

/** The words of each `dispatch` invocation in a piece of text (one shell line or one inline span). */
function dispatchInvocations(text: string): string[][] {
  const tokens = text.trim().split(/\s+/);
  const out: string[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!/^(?:[<$]?\()?dispatch$/.test(tokens[i])) continue;
    const words: string[] = [];
    for (i++; i < tokens.length && !STOP.test(tokens[i]); i++) {
      const closing = tokens[i].endsWith(')') && !tokens[i].includes('(');
      words.push(closing ? tokens[i].replace(/\)+$/, '') : tokens[i]);
      if (closing) break;
    }
    if (words.length) out.push(words.filter(Boolean));
  }
  return out;
}

/** Commands shown in code blocks (every language but JSON and JS) and inline code spans. */
export function shownCommands(file: string, text: string): ShownCommand[] {
  const { blocks, prose } = splitMarkdown(text);
  const out: ShownCommand[] = [];
  for (const b of blocks) {
    if (['json', 'jsonc', 'js', 'mjs', 'ts', 'javascript', 'typescript'].includes(b.lang)) continue;
    b.body
      .replace(/\\\n/g, ' ')
      .split('\n')
      .forEach((line, i) => {
        for (const words of dispatchInvocations(line)) out.push({ words, where: `${file}:${b.line + 1 + i}`, runnable: true });
      });
  }
  const inline = /(?<!`)`([^`]+)`(?!`)/g;
  for (const m of prose.matchAll(inline)) {
    const line = prose.slice(0, m.index).split('\n').length;
    for (const words of dispatchInvocations(m[1])) out.push({ words, where: `${file}:${line}`, runnable: false });
  }
  return out;
}

/**
 * Problems with one shown command against the real commander tree: unknown (sub)commands, unknown
 * flags, flags missing their value, too many arguments; for runnable lines also missing required
 * flags and arguments. `a|b|c` as a command word stands for each alternative.
 */
export function commandProblems(program: Command, shown: Pick<ShownCommand, 'words' | 'runnable'>): string[] {
  const words = shown.words.map((w) => w.replace(/^\[+/, '').replace(/\]+$/, '')).filter((w) => w && w !== '...' && w !== '…');
  const label = `dispatch ${shown.words.join(' ')}`;
  let cmd = program;
  let i = 0;
  for (; i < words.length && cmd.commands.length && !words[i].startsWith('-'); i++) {
    const alternatives = words[i].split('|');
    if (alternatives.length > 1 && !words[i].startsWith('<')) {
      return alternatives.flatMap((alt) => commandProblems(program, { ...shown, words: [...words.slice(0, i), alt, ...words.slice(i + 1)] }));
    }
    const sub = cmd.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i]));
    if (!sub) return [`${label}: "${words.slice(0, i + 1).join(' ')}" is not a command`];
    cmd = sub;
  }
  if (cmd.commands.length && cmd !== program) return [`${label}: "${words.slice(0, i).join(' ')}" needs a subcommand`];
  const problems: string[] = [];
  const given = new Set<string>();
  const positionals: string[] = [];
  for (; i < words.length; i++) {
    const word = words[i];
    if (!/^--?[A-Za-z]/.test(word)) {
      positionals.push(word);
      continue;
    }
    const [flag, inlineValue] = word.split(/=(.*)/s);
    if (flag === '--help' || flag === '-h') continue;
    const opt = cmd.options.find((o) => o.long === flag || o.short === flag);
    if (!opt) {
      problems.push(`${label}: unknown flag ${flag} (known: ${cmd.options.map((o) => o.long).join(', ')})`);
      continue;
    }
    given.add(opt.long ?? flag);
    if ((opt.required || opt.optional) && inlineValue === undefined) {
      const next = words[i + 1];
      if (next !== undefined && !next.startsWith('--')) i++;
      else if (opt.required) problems.push(`${label}: ${flag} needs a value`);
    }
  }
  const args = cmd.registeredArguments;
  if (positionals.length > args.length && !args.some((a) => a.variadic)) problems.push(`${label}: unexpected argument(s) ${positionals.slice(args.length).join(' ')}`);
  if (shown.runnable) {
    const missingArgs = args.filter((a, n) => a.required && n >= positionals.length);
    if (missingArgs.length) problems.push(`${label}: missing argument <${missingArgs.map((a) => a.name()).join('> <')}>`);
    for (const o of cmd.options) if (o.mandatory && !given.has(o.long ?? '')) problems.push(`${label}: missing required flag ${o.long}`);
  }
  return problems;
}

export interface ExampleJob {
  where: string;
  /** Parsed job, or null when a block that looks like a whole job is not valid JSON. */
  job: Record<string, unknown> | null;
  text: string;
}

/** JSON blocks that are a whole job (schemaVersion and scenario); anything less is a fragment. */
export function exampleJobs(file: string, text: string): ExampleJob[] {
  const out: ExampleJob[] = [];
  for (const b of splitMarkdown(text).blocks) {
    if (!['json', 'jsonc'].includes(b.lang) || !/"schemaVersion"/.test(b.body) || !/"scenario"/.test(b.body)) continue;
    let job: Record<string, unknown> | null = null;
    try {
      job = JSON.parse(b.body);
    } catch {
      job = null;
    }
    out.push({ where: `${file}:${b.line}`, job, text: b.body });
  }
  return out;
}

/** Seed when any step, or a poll's inner action, writes memory; that is what the file name must say. */
export function jobKind(job: unknown): 'case' | 'seed' {
  return /"action"\s*:\s*"memory\.(store|forget)"/.test(JSON.stringify(job)) ? 'seed' : 'case';
}

/** Env vars an example reads, with a dummy value of the right shape for each. */
export function dummyEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const names = [...text.matchAll(/\$\{env\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  for (const m of text.matchAll(/"fromEnv"\s*:\s*\{([^}]*)\}/g)) names.push(...[...m[1].matchAll(/:\s*"([A-Za-z_][A-Za-z0-9_]*)"/g)].map((n) => n[1]));
  for (const name of names) env[name] = /URL/.test(name) ? 'http://127.0.0.1:9' : /TIMEOUT|_MS$/.test(name) ? '5000' : 'doc-example-value';
  return env;
}

export interface ExampleModule {
  where: string;
  name: string;
  version: string;
  source: string;
}

/** JS blocks that are a whole module entry (`export default defineModule({ name, version, ... })`). */
export function exampleModules(file: string, text: string): ExampleModule[] {
  const out: ExampleModule[] = [];
  for (const b of splitMarkdown(text).blocks) {
    if (!['js', 'mjs', 'javascript'].includes(b.lang) || !/export default defineModule\(/.test(b.body)) continue;
    const m = /defineModule\(\{\s*name:\s*['"]([^'"]+)['"],\s*version:\s*['"]([^'"]+)['"]/.exec(b.body);
    if (m) out.push({ where: `${file}:${b.line}`, name: m[1], version: m[2], source: b.body });
  }
  return out;
}
