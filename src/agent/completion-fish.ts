import { allNodes, type CommandNode, type FlagSpec } from './command-tree.js';
import { fishQuote } from './shell-quote.js';

/**
 * A fish completion script: one `complete` line per subcommand and flag, each guarded by the
 * command path rebuilt from the words typed so far (flag values skipped).
 */
export function fishScript(root: CommandNode, header: string): string {
  const nodes = allNodes(root);
  const valueFlags = [
    ...new Set(
      nodes
        .flatMap((n) => n.flags)
        .filter((f) => f.takesValue)
        .map((f) => f.long),
    ),
  ].sort();
  const lines: string[] = ['complete -c dispatch -f'];
  for (const n of nodes) {
    const at = `-n ${fishQuote(`__dispatch_at ${fishQuote(n.path)}`)}`;
    for (const s of n.subcommands) lines.push(`complete -c dispatch ${at} -a ${fishQuote(s.name)} -d ${fishQuote(s.description)}`);
    if (n.argChoices.length) lines.push(`complete -c dispatch ${at} -a ${fishQuote(n.argChoices.join(' '))}`);
    for (const f of n.flags) lines.push(`complete -c dispatch ${at} ${flagLine(f)}`);
  }
  return `${header.replace(/^/gm, '# ')}
# Load in this shell:   dispatch completion fish | source
# Load in every shell:  dispatch completion fish > ~/.config/fish/completions/dispatch.fish

function __dispatch_subcommands
    switch "$argv[1]"
${nodes
  .filter((n) => n.subcommands.length > 0)
  .map((n) => `        case ${fishQuote(n.path)}\n            printf '%s\\n' ${n.subcommands.map((s) => fishQuote(s.name)).join(' ')}`)
  .join('\n')}
    end
end

function __dispatch_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmdpath ''
    set -l skip 0
    for word in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $word
            case ${valueFlags.join(' ') || '--never'}
                set skip 1
                continue
            case '-*'
                continue
        end
        if contains -- $word (__dispatch_subcommands "$cmdpath")
            if test -z "$cmdpath"
                set cmdpath $word
            else
                set cmdpath "$cmdpath $word"
            end
        end
    end
    echo $cmdpath
end

function __dispatch_at
    set -l current (__dispatch_path)
    test "$current" = "$argv[1]"
end

${lines.join('\n')}
`;
}

function flagLine(f: FlagSpec): string {
  const parts = [`-l ${fishQuote(f.long.replace(/^--/, ''))}`];
  if (f.value === 'path') parts.push('-r -F');
  else if (f.value === 'choice') parts.push(`-x -a ${fishQuote((f.choices ?? []).join(' '))}`);
  else if (f.takesValue) parts.push('-x');
  if (f.description) parts.push(`-d ${fishQuote(f.description)}`);
  return parts.join(' ');
}
