/** Quotes a word for POSIX shells (bash, zsh) only when it needs it; fish accepts the same form. */
export function shQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Fish single quotes treat backslash as an escape, so both it and the quote get one. */
export function fishQuote(word: string): string {
  return `'${word.replace(/[\\']/g, '\\$&')}'`;
}
