/**
 * The trace store as a process, as `npm start` will run it: configured by TRACE_STORE_* (free
 * ports here, never Tempo's), ready when it says so, stopped cleanly by SIGTERM; a bad variable
 * named, exit 2.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url))

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const lines = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
  return { child, lines, exited: once(child, 'exit') as Promise<[number | null]> }
}

describe('the trace store process', () => {
  it('listens where TRACE_STORE_* say, serves, and stops on SIGTERM', async () => {
    const server = startServer({ TRACE_STORE_OTLP_PORT: '0', TRACE_STORE_API_PORT: '0', TRACE_STORE_SAMPLE_SHARE: '1' })
    let ready: { otlp: string; api: string; sampleShare: number } | undefined
    for (let i = 0; i < 200 && ready === undefined; i++) {
      ready = server.lines().find((line) => line.msg === 'trace store ready')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(ready).toMatchObject({
      otlp: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/),
      sampleShare: 1,
    })
    expect(ready?.otlp).not.toContain(':4318/')
    expect(await (await fetch(`${ready?.api}/ready`)).text()).toBe('ready')
    const exported = await fetch(ready?.otlp as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(exported.status).toBe(200)
    server.child.kill('SIGTERM')
    expect((await server.exited)[0]).toBe(0)
    expect(server.lines().at(-1)?.msg).toBe('trace store stopped')
  })

  it('names a bad variable and exits 2', async () => {
    const server = startServer({
      TRACE_STORE_OTLP_PORT: '0',
      TRACE_STORE_API_PORT: '0',
      TRACE_STORE_SAMPLE_SHARE: 'half',
    })
    expect((await server.exited)[0]).toBe(2)
    expect(server.lines()[0]?.msg).toMatch(/sampleShare \(TRACE_STORE_SAMPLE_SHARE\): Expected number/)
  })
})
