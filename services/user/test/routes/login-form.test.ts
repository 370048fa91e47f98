import { describe, expect, it } from 'vitest'
import { formFields, mislabelledFormBoundary } from '../../src/routes/login-form.ts'

const multipart = (boundary: string, fields: Record<string, string>) =>
  `${Object.entries(fields)
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('')}--${boundary}--\r\n`

describe('mislabelledFormBoundary', () => {
  it('finds the boundary of a whole multipart body', () => {
    const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW'
    expect(mislabelledFormBoundary(multipart(boundary, { username: 'a', password: 'b' }))).toBe(boundary)
    expect(mislabelledFormBoundary(multipart('formdata-undici-0123', { username: 'a' }))).toBe('formdata-undici-0123')
  })

  it.each([
    ['JSON', '{"username": "a", "password": "b"}'],
    ['a boundary line without the closing one', '--abc\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n'],
    ['a closing line of another boundary', '--abc\r\n\r\nx\r\n--abd--\r\n'],
    ['a boundary longer than 70 characters', `--${'b'.repeat(71)}\r\n--${'b'.repeat(71)}--`],
    ['a boundary ending in a space', '--abc \r\n--abc --'],
  ])('finds none in %s', (_case, body) => {
    expect(mislabelledFormBoundary(body)).toBeUndefined()
  })
})

describe('formFields', () => {
  it('reads the text fields', async () => {
    const body = Buffer.from(multipart('xyz', { username: '사용자', password: 'p@ss word' }))
    await expect(formFields(body, 'multipart/form-data; boundary=xyz')).resolves.toEqual({
      username: '사용자',
      password: 'p@ss word',
    })
  })

  it('refuses more fields than a login holds', async () => {
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, 'v']))
    await expect(
      formFields(Buffer.from(multipart('xyz', many)), 'multipart/form-data; boundary=xyz'),
    ).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_FORM' })
  })
})
