/**
 * An object body as k6 sends it: `application/x-www-form-urlencoded`, encoded as Go's
 * `url.Values.Encode` does (keys sorted, an array value as the key repeated).
 * See docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci.
 */
export function formEncode(body: Record<string, unknown>): string {
  return Object.keys(body)
    .sort()
    .flatMap((key) => {
      const value = body[key]
      const values = Array.isArray(value) ? value : [value]
      return values.map(
        (item) => `${queryEscape(key)}=${queryEscape(item === undefined || item === null ? '' : String(item))}`,
      )
    })
    .join('&')
}

/** Go's `QueryEscape`: space as `+`, every byte but letters, digits and `-_.~` percent-encoded. */
function queryEscape(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte)
      if (/[A-Za-z0-9\-_.~]/.test(char)) return char
      if (char === ' ') return '+'
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
    })
    .join('')
}
