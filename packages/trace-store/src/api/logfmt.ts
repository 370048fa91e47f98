/**
 * logfmt, as Tempo's `tags` parameter takes it: `key=value` pairs separated by spaces, a value
 * with spaces in double quotes (`\"` and `\\` inside them). Strict: a key without `=`, an empty
 * key or an unclosed quote is an error naming where, not a pair guessed at.
 */
export interface Pair {
  key: string
  value: string
}

export class LogfmtError extends Error {}

export function parseLogfmt(text: string): Pair[] {
  const pairs: Pair[] = []
  let at = 0
  const skipSpaces = () => {
    while (at < text.length && /\s/.test(text[at] as string)) at += 1
  }
  skipSpaces()
  while (at < text.length) {
    const keyStart = at
    while (at < text.length && !/[\s="]/.test(text[at] as string)) at += 1
    const key = text.slice(keyStart, at)
    if (key === '') throw new LogfmtError(`a pair at character ${keyStart + 1} has no key`)
    if (text[at] !== '=') throw new LogfmtError(`\`${key}\` has no value: write ${key}=<value>`)
    at += 1
    let value = ''
    if (text[at] === '"') {
      at += 1
      let closed = false
      while (at < text.length) {
        const char = text[at] as string
        if (char === '\\' && at + 1 < text.length) {
          value += text[at + 1]
          at += 2
        } else if (char === '"') {
          at += 1
          closed = true
          break
        } else {
          value += char
          at += 1
        }
      }
      if (!closed) throw new LogfmtError(`the value of \`${key}\` opens a quote it does not close`)
    } else {
      const valueStart = at
      while (at < text.length && !/\s/.test(text[at] as string)) at += 1
      value = text.slice(valueStart, at)
      if (value.includes('"')) throw new LogfmtError(`the value of \`${key}\` has a quote inside it: quote it whole`)
    }
    if (at < text.length && !/\s/.test(text[at] as string)) {
      throw new LogfmtError(`\`${key}\`'s value runs into character ${at + 1}: separate pairs with spaces`)
    }
    pairs.push({ key, value })
    skipSpaces()
  }
  return pairs
}
