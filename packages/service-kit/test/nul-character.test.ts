import { describe, expect, it } from 'vitest'
import { nulCharacterPath } from '../src/nul-character.ts'

describe('nulCharacterPath', () => {
  it('finds nothing in values without U+0000', () => {
    for (const value of [undefined, null, 42, true, 'plain', '\\u0000 as written text', { a: ['b', { c: 'd' }] }, []]) {
      expect(nulCharacterPath(value)).toBeUndefined()
    }
  })

  it('names where the character is, as a JSON pointer', () => {
    expect(nulCharacterPath('a\u0000b')).toBe('')
    expect(nulCharacterPath({ username: 'bob\u0000' })).toBe('/username')
    expect(nulCharacterPath({ items: [{ menu_id: 1 }, { note: '\u0000' }] })).toBe('/items/1/note')
    expect(nulCharacterPath({ 'a/b~c': '\u0000' })).toBe('/a~1b~0c')
  })

  it('finds it in a key too', () => {
    expect(nulCharacterPath({ 'na\u0000me': 'x' })).toBe('/na\u0000me')
  })
})
