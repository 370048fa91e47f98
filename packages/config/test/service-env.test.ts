import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import {
  type ConfigError,
  isLoopback,
  loadServiceConfig,
  serviceEnv,
  serviceTokenEnv,
  weakSecretProblem,
} from '../src/index.ts'

const schema = Type.Object({
  ...serviceEnv({ port: 8001, redisKeyPrefix: 'test:' }),
  ...serviceTokenEnv(),
  SECRET: Type.Optional(Type.String()),
})
const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/test'
const TOKEN = 'Zq3vT9-kLm2Xp8rW4nB6yC1dF5gH7jK0'
const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadServiceConfig(schema, env)
    return []
  } catch (error) {
    return (error as ConfigError).problems
  }
}

describe('serviceEnv and loadServiceConfig', () => {
  it('listens on loopback unless told otherwise', () => {
    expect(loadServiceConfig(schema, { DATABASE_URL }).HOST).toBe('127.0.0.1')
  })

  it('refuses chaos beyond loopback without a token, and takes it with one or with chaos off', () => {
    expect(problemsOf({ DATABASE_URL, HOST: '0.0.0.0' })).toEqual([expect.stringMatching(/^CHAOS_TOKEN is required/)])
    expect(problemsOf({ DATABASE_URL, HOST: '0.0.0.0', CHAOS_TOKEN: TOKEN })).toEqual([])
    expect(problemsOf({ DATABASE_URL, HOST: '0.0.0.0', CHAOS_ENABLED: 'false' })).toEqual([])
    // Production turns chaos off unless asked.
    expect(problemsOf({ DATABASE_URL, HOST: '0.0.0.0', NODE_ENV: 'production', SERVICE_TOKEN: TOKEN })).toEqual([])
  })

  it('refuses the built-in service token in production, and takes one of its own', () => {
    expect(problemsOf({ DATABASE_URL, NODE_ENV: 'production' })).toEqual([
      'SERVICE_TOKEN must be set in production: the built-in value is for development only',
    ])
    expect(problemsOf({ DATABASE_URL, NODE_ENV: 'production', SERVICE_TOKEN: TOKEN })).toEqual([])
  })

  it('refuses a weak chaos token in production', () => {
    const env = {
      DATABASE_URL,
      NODE_ENV: 'production',
      SERVICE_TOKEN: TOKEN,
      CHAOS_ENABLED: 'true',
      CHAOS_TOKEN: 'x'.repeat(40),
    }
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^CHAOS_TOKEN is too repetitive/)])
  })

  it('refuses a headers deadline past the whole request’s', () => {
    expect(problemsOf({ DATABASE_URL, HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '4000' })).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS (5000) must not exceed HTTP_REQUEST_TIMEOUT_MS (4000)',
    ])
    expect(problemsOf({ DATABASE_URL, HTTP_HEADERS_TIMEOUT_MS: '4000', HTTP_REQUEST_TIMEOUT_MS: '4000' })).toEqual([])
  })

  it('reads a variable from the file <NAME>_FILE names, trimmed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'))
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`)
    const config = loadServiceConfig(schema, { DATABASE_URL, HOST: '0.0.0.0', CHAOS_TOKEN_FILE: join(dir, 'token') })
    expect(config.CHAOS_TOKEN).toBe(TOKEN)
    expect(problemsOf({ DATABASE_URL, SECRET: 'a', SECRET_FILE: join(dir, 'token') })).toEqual([
      'SECRET and SECRET_FILE are both set: set one',
    ])
    expect(problemsOf({ DATABASE_URL, SECRET_FILE: join(dir, 'missing') })).toEqual([
      expect.stringMatching(/^SECRET_FILE names a file that cannot be read/),
    ])
  })
})

describe('isLoopback', () => {
  it('knows the loopback names and addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopback(host), host).toBe(true)
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'user', '127.0.0.1.example.com']) {
      expect(isLoopback(host), host).toBe(false)
    }
  })
})

describe('weakSecretProblem', () => {
  it('takes random secrets', () => {
    expect(weakSecretProblem('S', TOKEN)).toBeUndefined()
    expect(weakSecretProblem('S', 'a3f1c9e07b5d42e8f6a1b0c3d9e7f2a4')).toBeUndefined()
  })

  it('refuses development values, short ones and repetitive ones, naming the variable', () => {
    expect(weakSecretProblem('S', 'DEV-ONLY-but-long-and-varied-0123456789')).toMatch(/^S is a development value/)
    expect(weakSecretProblem('S', 'Zq3vT9-kLm2')).toMatch(/^S must be at least 32 characters/)
    expect(weakSecretProblem('S', 'abcabcabcabcabcabcabcabcabcabcabc')).toMatch(/^S is too repetitive/)
  })
})
