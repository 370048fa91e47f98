import { freePort, startSupervised } from '@food/testing'
import { browserRequest } from '@food/testing/browser-request'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeProcess } from '../app/processes.ts'

describe('a process in words, as the console says it', () => {
  it('says its state, its pid while it has one, and how often it was started again', () => {
    expect(describeProcess({ RestartCount: 0, State: { Status: 'running', Pid: 42 } })).toBe('running, pid 42')
    expect(describeProcess({ RestartCount: 1, State: { Status: 'paused', Pid: 42 } })).toBe(
      'paused, pid 42, restarted once',
    )
    expect(describeProcess({ RestartCount: 3, State: { Status: 'restarting', Pid: 0 } })).toBe(
      'restarting, restarted 3 times',
    )
  })
})

/** A server that starts listening on `port` a second after its process starts: a slow boot. */
const slowServer = (port: number) => ({
  command: process.execPath,
  args: [
    '-e',
    `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), 1000)`,
  ],
})

describe('npm start’s process API (packages/supervisor/src/engine-api.mjs) as Docker’s behaves', () => {
  let supervised: Awaited<ReturnType<typeof startSupervised>>
  let port: number
  beforeAll(async () => {
    port = await freePort()
    supervised = await startSupervised([
      { name: 'slow', ...slowServer(port), ready: `http://127.0.0.1:${port}/` },
      { name: 'idle', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
    ])
  })
  afterAll(() => supervised?.stop())

  it('answers a restart once the program is back: running, and serving when the supervisor can tell', async () => {
    const before = (await supervised.engine('GET', '/containers/slow/json')).body
    expect((await supervised.engine('POST', '/containers/slow/restart?t=5')).status).toBe(204)
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok')
    const after = (await supervised.engine('GET', '/containers/slow/json')).body
    expect(after).toMatchObject({ RestartCount: before.RestartCount + 1, State: { Status: 'running', Running: true } })
    expect(after.State.Pid).not.toBe(before.State.Pid)
  })

  it('lists each program’s restart count beside Docker’s own fields', async () => {
    expect((await supervised.engine('POST', '/containers/idle/restart?t=5')).status).toBe(204)
    const listed = (await supervised.engine('GET', '/containers/json')).body as { Names: string[] }[]
    const idle = listed.find((container) => container.Names[0] === '/idle')
    expect(idle).toMatchObject({ Id: 'idle', State: 'running', Status: 'Up', RestartCount: 1 })
    expect((await supervised.engine('GET', '/containers/idle/json')).body.RestartCount).toBe(1)
  })

  it('refuses another site’s page a kill (a simple cross-site POST), in Docker’s error shape; the process lives on', async () => {
    const { body: before } = await supervised.engine('GET', '/containers/idle/json')
    const host = new URL(supervised.url).host
    for (const origin of ['http://evil.example', 'null']) {
      const refused = await browserRequest(`${supervised.url}/containers/idle/kill`, 'POST', { host, origin })
      expect(refused).toEqual({ status: 403, body: { message: expect.stringContaining(origin) } })
    }
    const { body: after } = await supervised.engine('GET', '/containers/idle/json')
    expect(after).toMatchObject({ RestartCount: before.RestartCount, State: { Pid: before.State.Pid } })
  })

  it('refuses a rebound Host, reads too', async () => {
    for (const path of ['/containers/json', '/_ping', '/containers/idle/json']) {
      const refused = await browserRequest(`${supervised.url}${path}`, 'GET', { host: 'rebind.evil.example:8475' })
      expect(refused).toEqual({ status: 403, body: { message: expect.stringContaining('rebind.evil.example') } })
    }
  })

  it('answers the lab’s own: loopback names, IP addresses, the console’s page, and ALLOWED_HOSTS', async () => {
    const port = new URL(supervised.url).port
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `10.1.2.3:${port}`]) {
      expect((await browserRequest(`${supervised.url}/_ping`, 'GET', { host })).status).toBe(200)
    }
    const console = { host: `127.0.0.1:${port}`, origin: 'http://localhost:8090' }
    expect((await browserRequest(`${supervised.url}/containers/idle/pause?ttl_s=5`, 'POST', console)).status).toBe(204)
    expect((await browserRequest(`${supervised.url}/containers/idle/unpause`, 'POST', console)).status).toBe(204)
    const named = await startSupervised([], { env: { ALLOWED_HOSTS: 'engine.lab' } })
    try {
      const own = await browserRequest(`${named.url}/_ping`, 'GET', { host: 'engine.lab:8475' })
      expect(own.status).toBe(200)
      const other = await browserRequest(`${named.url}/_ping`, 'GET', { host: 'engine.lab.evil.example:8475' })
      expect(other.status).toBe(403)
    } finally {
      await named.stop()
    }
  })
})
