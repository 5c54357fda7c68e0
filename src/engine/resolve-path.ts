import { getAtPath, parseKeyPath } from '../util/key-path.js';
import { queryJsonPath } from './jsonpath.js';

interface PathLookup {
  found: boolean;
  value?: unknown;
  /** Every match, for JSONPath queries. */
  matches?: unknown[];
}

/**
 * The one path resolver: capture paths, poll `store`, rule paths and interpolation all read
 * values through here. `$...` is JSONPath (first match); anything else is a dotted path.
 */
export function resolvePath(root: unknown, path: string): PathLookup {
  if (path.startsWith('$')) {
    const matches = queryJsonPath(root, path);
    return matches.length > 0 ? { found: true, value: matches[0], matches } : { found: false, matches };
  }
  return getAtPath(root, parseKeyPath(path));
}
