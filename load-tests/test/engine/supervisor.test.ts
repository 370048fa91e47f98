/**
 * `npm start`'s supervisor and its Docker-Engine-like API (packages/supervisor:
 * supervisor.mjs, engine-api.mjs), over real child processes: a killed program comes back, as a
 * `restart: unless-stopped` container does; a paused one is stopped by the kernel (SIGSTOP) until
 * it is unpaused or its TTL ends; restart, and the answers a Docker client expects on bad input.
 */
import { readFileSync } from 'node:fs'
import { freePort, startSupervised } from '@food/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** A tiny HTTP server that answers its pid: which process answers, and whether one does. */
const ANSWER_PID = `require('node:http').createServer((q, s) => s.end(String(process.pid))).listen(process.env.PORT, '127.0.0.1')`

let supervised: Awaited<ReturnType<typeof startSupervised>>
let url: string
const TOKEN = 'a-test-chaos-token'

beforeAll(async () => {
  const port = await freePort()
  url = `http://127.0.0.1:${port}/`
  supervised = await startSupervised(
    [
      { name: 'echo', command: process.execPath, args: ['-e', ANSWER_PID], env: { PORT: String(port) } },
      { name: 'proxy', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
    ],
    { refused: ['proxy'] },
  )
  for (let i = 0; i < 100 && (await answer()) === undefined; i++) await new Promise((r) => setTimeout(r, 100))
})
afterAll(() => supervised?.stop())

/** The pid the echo program answers, or undefined when nothing answers within `timeoutMs`. */
async function answer(timeoutMs = 1000): Promise<number | undefined> {
  try {
    return Number(await (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).text())
  } catch {
    return undefined
  }
}

/** Whether a process other than `pid` answers now (a restarted program answers again). */
const answeredByAnother = async (pid: number | undefined) => {
  const now = await answer()
  return now !== undefined && now !== pid
}

const inspect = async () => (await supervised.engine('GET', '/containers/echo/json')).body

/** The kernel's state letter of a process (R/S running or sleeping, T stopped). */
const kernelState = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]

describe('the supervisor of npm start', () => {
  it('lists its programs as Docker lists containers, with the compose labels', async () => {
    expect((await fetch(`${supervised.url}/_ping`)).headers.get('api-version')).toBe('1.41')
    const filters = encodeURIComponent(JSON.stringify({ label: ['com.docker.compose.service=echo'] }))
    const { status, body } = await supervised.engine('GET', `/v1.41/containers/json?filters=${filters}`)
    expect(status).toBe(200)
    expect(body).toEqual([
      expect.objectContaining({
        Id: 'echo',
        Names: ['/echo'],
        State: 'running',
        Labels: { 'com.docker.compose.project': 'food-delivery', 'com.docker.compose.service': 'echo' },
      }),
    ])
  })

  it('starts a program killed with SIGKILL again, as restart: unless-stopped does', async () => {
    const before = await answer()
    expect((await inspect()).State.Pid).toBe(before)
    expect((await supervised.engine('POST', '/containers/echo/kill')).status).toBe(204)
    await expect.poll(() => answeredByAnother(before), { timeout: 10_000 }).toBe(true)
    const after = await inspect()
    expect(after).toMatchObject({ RestartCount: 1, State: { Status: 'running', ExitCode: 137 } })
    expect(after.State.Pid).toBe(await answer())
    expect(supervised.log).toContainEqual(expect.stringMatching(/echo exited \(SIGKILL\); restarting it in \d+ ms/))
  })

  it('pauses a program with SIGSTOP until it is unpaused: its connections wait, then are answered', async () => {
    const pid = (await inspect()).State.Pid
    expect((await supervised.engine('POST', '/containers/echo/pause?ttl_s=60')).status).toBe(204)
    expect(kernelState(pid)).toBe('T')
    expect(await inspect()).toMatchObject({ State: { Status: 'paused', Paused: true } })
    const waiting = answer(10_000)
    expect(await answer(500)).toBeUndefined()
    expect((await supervised.engine('POST', '/containers/echo/unpause')).status).toBe(204)
    expect(await waiting).toBe(pid)
    expect(kernelState(pid)).not.toBe('T')
  })

  it('ends a pause by itself when its ttl_s is over', async () => {
    const pid = (await inspect()).State.Pid
    expect((await supervised.engine('POST', '/containers/echo/pause?ttl_s=1')).status).toBe(204)
    expect(await answer(300)).toBeUndefined()
    await expect.poll(() => kernelState(pid), { timeout: 5000 }).not.toBe('T')
    expect(await answer()).toBe(pid)
    expect((await inspect()).State.Status).toBe('running')
  })

  it('restarts a program: SIGTERM, then a new process at once', async () => {
    const before = await answer()
    const restarts = (await inspect()).RestartCount
    expect((await supervised.engine('POST', '/containers/echo/restart?t=5')).status).toBe(204)
    await expect.poll(() => answeredByAnother(before), { timeout: 10_000 }).toBe(true)
    expect((await inspect()).RestartCount).toBe(restarts + 1)
  })

  it('answers a start of a running program as Docker does a running container: 304, nothing restarted', async () => {
    const before = await inspect()
    expect((await supervised.engine('POST', '/containers/echo/start')).status).toBe(304)
    expect(await inspect()).toMatchObject({ RestartCount: before.RestartCount, State: { Pid: before.State.Pid } })
  })

  it('answers bad requests as Docker does, and refuses faults on the chaos plane itself', async () => {
    expect(await supervised.engine('POST', '/containers/nope/kill')).toEqual({
      status: 404,
      body: { message: 'No such container: nope' },
    })
    expect(await supervised.engine('POST', '/containers/echo/kill?signal=SIGFOO')).toEqual({
      status: 400,
      body: { message: 'Invalid signal: SIGFOO' },
    })
    expect((await supervised.engine('POST', '/containers/echo/pause?ttl_s=0')).status).toBe(400)
    expect((await supervised.engine('POST', '/containers/echo/pause?ttl_s=601')).status).toBe(400)
    expect(await supervised.engine('POST', '/containers/echo/unpause')).toEqual({
      status: 409,
      body: { message: 'Container echo is not paused' },
    })
    expect(await supervised.engine('POST', '/containers/proxy/kill')).toEqual({
      status: 403,
      body: { message: 'proxy is the chaos plane itself: its faults are refused' },
    })
    expect((await supervised.engine('GET', '/containers/echo/kill')).status).toBe(405)
    expect((await answer()) !== undefined).toBe(true)
  })
})

describe('the supervisor where the fleet has a chaos token', () => {
  it('takes a change only with the token in X-Chaos-Token; reading stays open', async () => {
    const guarded = await startSupervised(
      [{ name: 'idle', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] }],
      { token: TOKEN },
    )
    try {
      expect((await guarded.engine('GET', '/containers/json')).status).toBe(200)
      expect((await guarded.engine('POST', '/containers/idle/kill')).status).toBe(401)
      const withToken = await fetch(`${guarded.url}/containers/idle/kill`, {
        method: 'POST',
        headers: { 'x-chaos-token': TOKEN },
      })
      expect(withToken.status).toBe(204)
    } finally {
      await guarded.stop()
    }
  })
})
