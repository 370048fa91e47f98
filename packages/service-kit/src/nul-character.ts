/**
 * Where a parsed request value holds a string with U+0000 in it, as a JSON pointer ('' for the
 * value itself), or undefined. JSON and forms can carry that character; PostgreSQL cannot store
 * it in text, so a request carrying it is refused before a handler sees it.
 */
export function nulCharacterPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, item] of Object.entries(value)) {
    const pointer = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
    if (key.includes('\u0000')) return pointer
    const found = nulCharacterPath(item, pointer)
    if (found !== undefined) return found
  }
  return undefined
}
