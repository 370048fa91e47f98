import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '@food/config'
import { describe, expect, it } from 'vitest'
import { DEV_JWT_SECRET, loadUserConfig } from '../src/config.ts'

const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/user_db'

describe('configuration', () => {
  it('fills defaults and coerces types', () => {
    const config = loadUserConfig({ DATABASE_URL, PORT: '9001', CHAOS_ENABLED: 'false' })
    expect(config).toMatchObject({
      PORT: 9001,
      CHAOS_ENABLED: false,
      JWT_EXPIRES_IN_S: 3600,
      REDIS_KEY_PREFIX: 'user:',
    })
  })

  it('names every missing or malformed variable at once', () => {
    const attempt = () => loadUserConfig({ PORT: 'eighty', JWT_EXPIRES_IN_S: '5' })
    expect(attempt).toThrow(ConfigError)
    const problems = (() => {
      try {
        attempt()
      } catch (error) {
        return (error as ConfigError).problems
      }
    })()
    expect(problems).toEqual(
      expect.arrayContaining([
        'DATABASE_URL is required but not set',
        expect.stringMatching(/^PORT must be integer/),
        expect.stringMatching(/^JWT_EXPIRES_IN_S must be >= 60/),
      ]),
    )
  })

  it('refuses the dev JWT secret in production', () => {
    expect(() => loadUserConfig({ DATABASE_URL, NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET must be set in production/,
    )
    const secret = 'a-production-secret-of-at-least-32-chars'
    expect(loadUserConfig({ DATABASE_URL, NODE_ENV: 'production', JWT_SECRET: secret }).JWT_SECRET).toBe(secret)
    expect(DEV_JWT_SECRET).toMatch(/dev-only/)
  })

  it.each([
    ['a development value committed anywhere', 'dev-only-compose-jwt-secret-change-me-please', /development value/],
    ['a repeated character', 'a'.repeat(32), /too repetitive/],
    ['a short one', 'Xk3-9fQz', /JWT_SECRET must NOT have fewer than 32 characters/],
  ])('refuses %s as JWT_SECRET in production', (_case, secret, problem) => {
    expect(() => loadUserConfig({ DATABASE_URL, NODE_ENV: 'production', JWT_SECRET: secret })).toThrow(problem)
  })

  it('stops the real process with a message naming the variable', () => {
    const server = fileURLToPath(new URL('../src/server.ts', import.meta.url))
    const { DATABASE_URL: _unset, ...env } = process.env
    const run = spawnSync(process.execPath, ['--import', 'tsx', server], {
      env: { ...env, PORT: 'x' },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('DATABASE_URL is required but not set')
    expect(run.stderr).toContain('PORT must be integer')
  })
})
