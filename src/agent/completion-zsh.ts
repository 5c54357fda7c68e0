import { allNodes, type CommandNode, type FlagSpec } from './command-tree.js';
import { shQuote } from './shell-quote.js';

/**
 * A zsh completion function with descriptions. Works both ways zsh loads completions: sourced
 * (it registers itself with compdef) or autoloaded from a `_dispatch` file on $fpath.
 */
export function zshScript(root: CommandNode, header: string): string {
  const nodes = allNodes(root);
  const flags = nodes.flatMap((n) => n.flags);
  const valueFlags = unique(flags.filter((f) => f.takesValue).map((f) => f.long));
  const pathFlags = unique(flags.filter((f) => f.value === 'path').map((f) => f.long));
  const choiceFlags = [...new Map(flags.filter((f) => f.value === 'choice').map((f) => [f.long, f] as const)).values()];
  return `#compdef dispatch
${header.replace(/^/gm, '# ')}
# Load in this shell:   source <(dispatch completion zsh)   (after compinit)
# Load in every shell:  dispatch completion zsh > "\${fpath[1]}/_dispatch"

_dispatch_subcommands() {
  case $1 in
${arms(
  nodes.filter((n) => n.subcommands.length > 0),
  (n) => n.subcommands.map((s) => described(s.name, s.description)),
)}
  esac
}

_dispatch_flags() {
  case $1 in
${arms(nodes, (n) => n.flags.map((f: FlagSpec) => described(f.long, f.description)))}
  esac
}

_dispatch_args() {
  case $1 in
${arms(
  nodes.filter((n) => n.argChoices.length > 0),
  (n) => n.argChoices,
)}
  esac
}

_dispatch_flag_values() {
  case $1 in
${choiceFlags.map((f) => `    (${shQuote(f.long)}) _dispatch_words=(${(f.choices ?? []).map(shQuote).join(' ')}) ;;`).join('\n')}
  esac
}

_dispatch() {
  local cmdpath='' word sub prev
  local -i i skip=0
  local -a _dispatch_words candidates
  for (( i = 2; i < CURRENT; i++ )); do
    word=\${words[i]}
    if (( skip )); then skip=0; continue; fi
    case $word in
      (${valueFlags.join('|') || '--never'}) skip=1; continue ;;
      (-*) continue ;;
    esac
    _dispatch_words=()
    _dispatch_subcommands "$cmdpath"
    for sub in "\${_dispatch_words[@]%%:*}"; do
      if [[ $sub == "$word" ]]; then cmdpath=\${cmdpath:+$cmdpath }$word; break; fi
    done
  done
  prev=\${words[CURRENT-1]}
  case $prev in
    (${pathFlags.join('|') || '--never'}) _files; return ;;
    (${valueFlags.join('|') || '--never'})
      _dispatch_words=()
      _dispatch_flag_values "$prev"
      (( \${#_dispatch_words} )) && compadd -a _dispatch_words
      return ;;
  esac
  _dispatch_words=()
  if [[ \${words[CURRENT]} == -* ]]; then
    _dispatch_flags "$cmdpath"
    _describe -t options 'option' _dispatch_words
    return
  fi
  _dispatch_subcommands "$cmdpath"
  candidates=("\${_dispatch_words[@]}")
  _dispatch_words=()
  _dispatch_args "$cmdpath"
  candidates+=("\${_dispatch_words[@]}")
  if (( \${#candidates} )); then
    _describe -t commands 'command' candidates
  else
    _dispatch_flags "$cmdpath"
    _describe -t options 'option' _dispatch_words
  fi
}

if [[ \${funcstack[1]} == _dispatch ]]; then
  _dispatch "$@"
else
  compdef _dispatch dispatch
fi
`;
}

/** _describe reads "word:description"; a colon inside the word or text must be escaped. */
function described(word: string, description: string): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return description ? `${esc(word)}:${esc(description)}` : esc(word);
}

function arms(nodes: CommandNode[], words: (n: CommandNode) => string[]): string {
  return nodes.map((n) => `    (${shQuote(n.path)}) _dispatch_words=(${words(n).map(shQuote).join(' ')}) ;;`).join('\n');
}

const unique = (xs: string[]) => [...new Set(xs)].sort();
