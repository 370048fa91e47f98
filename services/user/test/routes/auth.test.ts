import { createSigner } from 'fast-jwt'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startUserService, type TestUserService } from '../helpers/user-service.ts'

let service: TestUserService
beforeAll(async () => {
  service = await startUserService()
})
afterAll(() => service.close())

describe('POST /signup', () => {
  it('creates a user and returns it without any password material', async () => {
    const response = await service.call('POST', '/signup', {
      json: { username: 'alice', password: 's3cret-pass', email: 'Alice@Example.com' },
    })
    expect(response.status).toBe(201)
    expect(response.body).toEqual({
      id: expect.any(Number),
      username: 'alice',
      email: 'alice@example.com',
      is_active: true,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    expect(JSON.stringify(response.body)).not.toMatch(/s3cret|scrypt|hash/i)
  })

  it('stores a scrypt hash, never the password', async () => {
    const user = await service.createUser('plain-text-check')
    const client = new pg.Client({ connectionString: service.databaseUrl })
    await client.connect()
    const { rows } = await client.query('SELECT password_hash FROM users WHERE id = $1', [user.id])
    await client.end()
    expect(rows[0].password_hash).toMatch(/^scrypt\$/)
    expect(rows[0].password_hash).not.toContain('plain-text-check')
  })

  it("answers 400 USERNAME_TAKEN for a username that is taken, in the original's words", async () => {
    const user = await service.createUser()
    const response = await service.call('POST', '/signup', { json: { username: user.username, password: 'another' } })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('USERNAME_TAKEN'))
    expect(response.body.detail).toBe('Username already registered')
  })

  it('answers 400 for a username that is taken in another case, and logs in with any case', async () => {
    const first = await service.call('POST', '/signup', { json: { username: 'CaseyJones', password: 'casey-pass' } })
    expect(first.status).toBe(201)
    for (const username of ['caseyjones', 'CASEYJONES', 'caseyJones']) {
      const impostor = await service.call('POST', '/signup', { json: { username, password: 'another' } })
      expect(impostor.status).toBe(400)
      expect(impostor.body).toEqual(errorBody('USERNAME_TAKEN'))
    }
    const login = await service.call('POST', '/login', { json: { username: 'caseyjones', password: 'casey-pass' } })
    expect(login.status).toBe(200)
    const validated = await service.call('POST', '/validate', {
      headers: { authorization: `Bearer ${login.body.access_token}` },
    })
    // The user keeps the spelling they chose.
    expect(validated.body).toMatchObject({ user_id: first.body.id, username: 'CaseyJones' })
  })

  it('answers 400 EMAIL_TAKEN for an email that is taken, whatever its case', async () => {
    await service.call('POST', '/signup', { json: { username: 'bob1', password: 'pass', email: 'bob@example.com' } })
    const response = await service.call('POST', '/signup', {
      json: { username: 'bob2', password: 'pass', email: 'BOB@example.com' },
    })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('EMAIL_TAKEN'))
    expect(response.body.detail).toBe('Email already registered')
  })

  it('lets only one of many concurrent signups for a name win', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () =>
        service.call('POST', '/signup', { json: { username: 'racer', password: 'pass' } }),
      ),
    )
    expect(attempts.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(400)])
  })

  it.each([
    ['missing password', { username: 'carol' }],
    ['missing username', { password: 'pass' }],
    ['username of the wrong type', { username: 42, password: 'pass' }],
    ['username too short', { username: 'ab', password: 'pass' }],
    ['username too long', { username: 'x'.repeat(33), password: 'pass' }],
    ['username with spaces', { username: 'a b c', password: 'pass' }],
    ['password too short', { username: 'carol', password: 'abc' }],
    ['password too long', { username: 'carol', password: 'p'.repeat(129) }],
    ['email malformed', { username: 'carol', password: 'pass', email: 'not-an-email' }],
    ['an unknown field', { username: 'carol', password: 'pass', is_admin: true }],
  ])('rejects %s with 400 VALIDATION_ERROR', async (_case, json) => {
    const response = await service.call('POST', '/signup', { json })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'))
    expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body' })]))
  })

  it('refuses a NUL character in a signup or login, as JSON or as a form, with 400 and where it was', async () => {
    const signup = await service.call('POST', '/signup', { json: { username: 'nuller', password: 'pa\u0000ss' } })
    expect(signup.status).toBe(400)
    expect(signup.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ location: 'body', path: '/password' }],
    })
    const login = await service.call('POST', '/login', { json: { username: 'us\u0000er', password: 'pass' } })
    expect(login.status).toBe(400)
    expect(login.body).toEqual(errorBody('VALIDATION_ERROR'))
    const form = await service.call('POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=us%00er&password=pass',
    })
    expect(form.status).toBe(400)
    expect(form.body).toEqual(errorBody('VALIDATION_ERROR'))
  })

  it.each([
    ['malformed JSON', '{"username": "dave", ', 'INVALID_JSON'],
    // A route that needs a body still refuses an empty one (a route without one accepts it).
    ['an empty JSON body', '', 'EMPTY_BODY'],
  ])('rejects %s with 400', async (_case, body, code) => {
    const response = await service.call('POST', '/signup', { headers: { 'content-type': 'application/json' }, body })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody(code))
  })

  it('rejects an unsupported content type with 415', async () => {
    const response = await service.call('POST', '/signup', { headers: { 'content-type': 'text/plain' }, body: 'hello' })
    expect(response.status).toBe(415)
    expect(response.body).toEqual(errorBody('UNSUPPORTED_MEDIA_TYPE'))
  })

  it('rejects a body over the size limit with 413', async () => {
    const response = await service.call('POST', '/signup', {
      json: { username: 'erin', password: 'pass', padding: 'x'.repeat(70_000) },
    })
    expect(response.status).toBe(413)
    expect(response.body).toEqual(errorBody('PAYLOAD_TOO_LARGE'))
  })
})

describe('POST /login', () => {
  it('returns a bearer token for JSON credentials', async () => {
    const user = await service.createUser('json-login')
    const response = await service.call('POST', '/login', { json: { username: user.username, password: 'json-login' } })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'bearer',
      expires_in: service.config.JWT_EXPIRES_IN_S,
    })
  })

  it('accepts an OAuth2 password form, as the original sample’s load scripts send', async () => {
    const user = await service.createUser('form-login')
    const response = await service.call('POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: user.username,
        password: 'form-login',
        scope: '',
      }).toString(),
    })
    expect(response.status).toBe(200)
    expect(response.body.token_type).toBe('bearer')
  })

  const postForm = (form: FormData, headers: Record<string, string> = {}) =>
    fetch(`${service.baseUrl}/login`, { method: 'POST', headers, body: form }).then(async (response) => ({
      status: response.status,
      // biome-ignore lint/suspicious/noExplicitAny: a JSON answer, read as the other calls read theirs
      body: (await response.json()) as any,
    }))
  const loginForm = (fields: Record<string, string>) => {
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    return form
  }

  it('accepts multipart/form-data, as a browser FormData sends it', async () => {
    const user = await service.createUser('multipart-login')
    const response = await postForm(loginForm({ username: user.username, password: 'multipart-login' }))
    expect(response.status).toBe(200)
    expect(response.body.token_type).toBe('bearer')
  })

  it('accepts a FormData sent labelled as JSON, as the original front end sends it, and still reads JSON', async () => {
    const user = await service.createUser('labelled-json')
    // Its helper sets Content-Type: application/json on every call, FormData bodies included.
    const form = loginForm({ username: user.username, password: 'labelled-json' })
    const response = await postForm(form, { 'content-type': 'application/json' })
    expect(response.status).toBe(200)
    const wrong = await postForm(loginForm({ username: user.username, password: 'nope' }), {
      'content-type': 'application/json',
    })
    expect(wrong.status).toBe(401)
    // A body that only looks like a multipart opening is still JSON, and malformed.
    const lookalike = await service.call('POST', '/login', {
      headers: { 'content-type': 'application/json' },
      body: '--x\r\n{"username": "a", "password": "b"}',
    })
    expect(lookalike.status).toBe(400)
    expect(lookalike.body).toEqual(errorBody('INVALID_JSON'))
  })

  it('refuses a multipart login holding a file, an oversized field or no boundary with 400 INVALID_FORM', async () => {
    const withFile = loginForm({ username: 'someone', password: 'pass' })
    withFile.append('avatar', new Blob(['x']), 'avatar.png')
    const oversized = loginForm({ username: 'someone', password: 'p'.repeat(2000) })
    for (const form of [withFile, oversized]) {
      const response = await postForm(form)
      expect(response.status).toBe(400)
      expect(response.body).toEqual(errorBody('INVALID_FORM'))
    }
    const noBoundary = await service.call('POST', '/login', {
      headers: { 'content-type': 'multipart/form-data' },
      body: 'username=a&password=b',
    })
    expect(noBoundary.status).toBe(400)
    expect(noBoundary.body).toEqual(errorBody('INVALID_FORM'))
    const missingPassword = await postForm(loginForm({ username: 'someone' }))
    expect(missingPassword.status).toBe(400)
    expect(missingPassword.body).toEqual(errorBody('VALIDATION_ERROR'))
  })

  it('answers the same 401 for a wrong password and an unknown user', async () => {
    const user = await service.createUser('right')
    const wrongPassword = await service.call('POST', '/login', { json: { username: user.username, password: 'wrong' } })
    const unknownUser = await service.call('POST', '/login', { json: { username: 'nobody-here', password: 'right' } })
    expect(wrongPassword.status).toBe(401)
    expect(unknownUser.status).toBe(401)
    expect(wrongPassword.body).toEqual(errorBody('INVALID_CREDENTIALS'))
    expect(unknownUser.body).toEqual(wrongPassword.body)
  })

  it.each([
    ['no password', { username: 'user' }],
    ['empty username', { username: '', password: 'pass' }],
    ['a password of the wrong type', { username: 'user', password: ['pass'] }],
  ])('rejects %s with 400', async (_case, json) => {
    const response = await service.call('POST', '/login', { json })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'))
  })
})

describe('POST /validate', () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  it('confirms a valid token and names its user', async () => {
    const user = await service.createUser()
    const response = await service.call('POST', '/validate', { headers: bearer(user.token) })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ valid: true, user_id: user.id, username: user.username })
  })

  it('answers 401 TOKEN_MISSING without an Authorization header', async () => {
    const response = await service.call('POST', '/validate')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(response.body).toEqual(errorBody('TOKEN_MISSING'))
  })

  it('answers 401 TOKEN_MISSING for another scheme than Bearer', async () => {
    const response = await service.call('POST', '/validate', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })
    expect(response.status).toBe(401)
    expect(response.body).toEqual(errorBody('TOKEN_MISSING'))
  })

  it('answers 401 TOKEN_INVALID for a token that is not a JWT', async () => {
    const response = await service.call('POST', '/validate', { headers: bearer('not-a-jwt') })
    expect(response.status).toBe(401)
    expect(response.body).toEqual(errorBody('TOKEN_INVALID'))
  })

  it('answers 401 TOKEN_INVALID for a tampered token', async () => {
    const user = await service.createUser()
    const [header, payload, signature] = user.token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url')
    const response = await service.call('POST', '/validate', { headers: bearer(`${header}.${forged}.${signature}`) })
    expect(response.status).toBe(401)
    expect(response.body).toEqual(errorBody('TOKEN_INVALID'))
  })

  it('answers 401 TOKEN_INVALID for a token signed with another secret', async () => {
    const sign = createSigner({ key: 'some-other-secret-that-is-long-enough!!', iss: 'food-delivery/user' })
    const response = await service.call('POST', '/validate', { headers: bearer(sign({ sub: '1', username: 'user' })) })
    expect(response.status).toBe(401)
    expect(response.body).toEqual(errorBody('TOKEN_INVALID'))
  })

  it.each([
    ['no exp', { iss: 'food-delivery/user' }],
    ['no iss', { exp: Math.floor(Date.now() / 1000) + 600 }],
    ['another iss', { iss: 'someone-else', exp: Math.floor(Date.now() / 1000) + 600 }],
  ])('answers 401 TOKEN_INVALID for a token signed with the right secret but %s', async (_case, claims) => {
    const user = await service.createUser()
    const sign = createSigner({ key: service.config.JWT_SECRET })
    const response = await service.call('POST', '/validate', {
      headers: bearer(sign({ sub: String(user.id), username: user.username, ...claims })),
    })
    expect(response.status).toBe(401)
    expect(response.body).toEqual(errorBody('TOKEN_INVALID'))
  })

  it('answers 401 TOKEN_EXPIRED for an expired token', async () => {
    const user = await service.createUser()
    const past = Math.floor(Date.now() / 1000) - 3600
    const sign = createSigner({ key: service.config.JWT_SECRET })
    const expired = sign({
      sub: String(user.id),
      username: user.username,
      iss: 'food-delivery/user',
      iat: past - 60,
      exp: past,
    })
    const response = await service.call('POST', '/validate', { headers: bearer(expired) })
    expect(response.status).toBe(401)
    expect(response.body).toEqual(errorBody('TOKEN_EXPIRED'))
  })

  it.each(['2147483648', '0', '-1', '1.5', '1e3', 'abc', ''])(
    'answers 401 USER_NOT_FOUND for a well-signed token whose sub is %j, no id a row can have',
    async (sub) => {
      const sign = createSigner({ key: service.config.JWT_SECRET, iss: 'food-delivery/user', expiresIn: 60_000 })
      const response = await service.call('POST', '/validate', { headers: bearer(sign({ sub, username: 'user' })) })
      expect(response.status).toBe(401)
      expect(response.body).toEqual(errorBody('USER_NOT_FOUND'))
    },
  )

  it('answers 401 USER_NOT_FOUND when the user is gone', async () => {
    const user = await service.createUser()
    const client = new pg.Client({ connectionString: service.databaseUrl })
    await client.connect()
    await client.query('DELETE FROM users WHERE id = $1', [user.id])
    await client.end()
    // Deleted before any lookup was cached, as an operator would delete it.
    const response = await service.call('POST', '/validate', { headers: bearer(user.token) })
    expect(response.status).toBe(401)
    expect(response.body).toEqual(errorBody('USER_NOT_FOUND'))
  })

  it('holds the answer back by ?delay= milliseconds', async () => {
    const user = await service.createUser()
    const started = performance.now()
    const response = await service.call('POST', '/validate?delay=300', { headers: bearer(user.token) })
    expect(response.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(295)
  })

  it.each(['-1', '30001', 'abc', '1.5'])('rejects ?delay=%s with 400', async (delay) => {
    const user = await service.createUser()
    const response = await service.call('POST', `/validate?delay=${delay}`, { headers: bearer(user.token) })
    expect(response.status).toBe(400)
    expect(response.body).toEqual(errorBody('VALIDATION_ERROR'))
  })
})

describe('login throttling', () => {
  let throttled: Awaited<ReturnType<typeof startUserService>>
  beforeAll(async () => {
    throttled = await startUserService({ LOGIN_MAX_FAILURES: '3' })
  })
  afterAll(() => throttled.close())

  const login = (username: string, password: string) =>
    throttled.call('POST', '/login', { json: { username, password } })

  it('refuses an account, even its right password, once it used up its failures, and says when to retry', async () => {
    const user = await throttled.createUser('the-right-one')
    for (let i = 0; i < 3; i++) expect((await login(user.username, 'wrong')).status).toBe(401)
    const refused = await login(user.username, 'the-right-one')
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual(errorBody('TOO_MANY_ATTEMPTS'))
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800)
    // In any case of its name.
    expect((await login(user.username.toUpperCase(), 'the-right-one')).status).toBe(429)
  })

  it('clears an account’s failures when its right password is given in time', async () => {
    const user = await throttled.createUser('remembered')
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expect((await login(user.username, 'wrong')).status).toBe(401)
      expect((await login(user.username, 'remembered')).status).toBe(200)
    }
  })
})

describe('login throttling per address', () => {
  let throttled: Awaited<ReturnType<typeof startUserService>>
  beforeAll(async () => {
    throttled = await startUserService({ LOGIN_MAX_FAILURES_PER_ADDRESS: '4' })
  })
  afterAll(() => throttled.close())

  it('refuses an address that used up its failures across accounts, whatever account it tries next', async () => {
    const user = await throttled.createUser('untouched')
    for (const name of ['alpha', 'bravo', 'charlie', 'delta']) {
      expect((await throttled.call('POST', '/login', { json: { username: name, password: 'guess' } })).status).toBe(401)
    }
    const refused = await throttled.call('POST', '/login', { json: { username: user.username, password: 'untouched' } })
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual(errorBody('TOO_MANY_ATTEMPTS'))
  })
})
