import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { createLogger } from '../src/index.ts'

const dir = await mkdtemp(join(tmpdir(), 'fleet-logger-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

/** The JSON lines the logger appended to `file`, once they are there (the file is written asynchronously). */
async function linesOf(file: string): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 100; i++) {
    const text = await readFile(file, 'utf8').catch(() => '')
    if (text.endsWith('\n'))
      return text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
    await sleep(20)
  }
  throw new Error(`nothing written to ${file}`)
}

describe('createLogger: the JSON lines Loki reads', () => {
  it('names the service, spells the level, stamps ISO time, and never writes a secret', async () => {
    const file = join(dir, 'service.log')
    const logger = createLogger({ service: 'order', level: 'info', format: 'json', file })
    logger.info(
      {
        req: { headers: { authorization: 'Bearer eyJ.secret', cookie: 'session=secret' } },
        password: 'hunter2',
        user: { password: 'hunter2', passwordHash: 'scrypt$secret', access_token: 'secret', token: 'secret' },
        order_id: 42,
      },
      'order placed',
    )
    logger.debug('below the level: not written')
    const [line, ...rest] = await linesOf(file)
    expect(rest).toEqual([])
    expect(line).toMatchObject({ service: 'order', level: 'info', msg: 'order placed', order_id: 42 })
    expect(new Date(String(line?.time)).toISOString()).toBe(line?.time)
    expect(JSON.stringify(line)).not.toContain('secret')
    expect(JSON.stringify(line)).not.toContain('hunter2')
    expect(line).toMatchObject({
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
      password: '[redacted]',
      user: { password: '[redacted]', passwordHash: '[redacted]', access_token: '[redacted]', token: '[redacted]' },
    })
  })
})
