import { allNodes, type CommandNode, type FlagSpec } from './command-tree.js';
import { shQuote } from './shell-quote.js';

/**
 * A bash completion script. The command path is rebuilt from COMP_WORDS by matching known
 * subcommand names and skipping the values of flags that take one, so
 * `dispatch job run --case x --c<TAB>` still completes the flags of `job run`.
 */
export function bashScript(root: CommandNode, header: string): string {
  const nodes = allNodes(root);
  const flags = nodes.flatMap((n) => n.flags);
  const valueFlags = unique(flags.filter((f) => f.takesValue).map((f) => f.long));
  const pathFlags = unique(flags.filter((f) => f.value === 'path').map((f) => f.long));
  const choiceFlags = uniqueBy(
    flags.filter((f) => f.value === 'choice'),
    (f) => f.long,
  );
  return `${header.replace(/^/gm, '# ')}
# Load in this shell:   source <(dispatch completion bash)
# Load in every shell:  dispatch completion bash > ~/.local/share/bash-completion/completions/dispatch

_dispatch_subcommands() {
  case "$1" in
${caseArms(
  nodes.filter((n) => n.subcommands.length > 0),
  (n) => n.subcommands.map((s) => s.name),
)}
  esac
}

_dispatch_flags() {
  case "$1" in
${caseArms(nodes, (n) => n.flags.map((f) => f.long))}
  esac
}

_dispatch_args() {
  case "$1" in
${caseArms(
  nodes.filter((n) => n.argChoices.length > 0),
  (n) => n.argChoices,
)}
  esac
}

_dispatch_flag_values() {
  case "$1" in
${choiceFlags.map((f) => `    ${shQuote(f.long)}) echo ${shQuote((f.choices ?? []).join(' '))} ;;`).join('\n')}
  esac
}

_dispatch() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmdpath="" word sub i skip=0 candidates
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word="\${COMP_WORDS[i]}"
    if (( skip )); then skip=0; continue; fi
    case "$word" in
      ${valueFlags.join('|') || '--never'}) skip=1; continue ;;
      -*) continue ;;
    esac
    for sub in $(_dispatch_subcommands "$cmdpath"); do
      if [[ "$sub" == "$word" ]]; then cmdpath="\${cmdpath:+$cmdpath }$word"; break; fi
    done
  done
  case "$prev" in
    ${pathFlags.join('|') || '--never'})
      compopt -o filenames 2>/dev/null
      COMPREPLY=( $(compgen -f -- "$cur") )
      return 0 ;;
    ${valueFlags.join('|') || '--never'})
      COMPREPLY=( $(compgen -W "$(_dispatch_flag_values "$prev")" -- "$cur") )
      return 0 ;;
  esac
  if [[ "$cur" == -* ]]; then
    candidates="$(_dispatch_flags "$cmdpath")"
  else
    candidates="$(_dispatch_subcommands "$cmdpath") $(_dispatch_args "$cmdpath")"
  fi
  COMPREPLY=( $(compgen -W "$candidates" -- "$cur") )
  return 0
}

complete -F _dispatch dispatch
`;
}

function caseArms(nodes: CommandNode[], words: (n: CommandNode) => string[]): string {
  return nodes.map((n) => `    ${shQuote(n.path)}) echo ${shQuote(words(n).join(' '))} ;;`).join('\n');
}

const unique = (xs: string[]) => [...new Set(xs)].sort();

function uniqueBy(xs: FlagSpec[], key: (f: FlagSpec) => string): FlagSpec[] {
  const seen = new Map<string, FlagSpec>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}
