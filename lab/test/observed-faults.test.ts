import { expect } from 'vitest'
import { readExperiment } from '../src/experiment/load-file.ts'
import { runExperiment } from '../src/experiment/run.ts'
import { experimentEnv } from './experiment-env.ts'
import { FLEET_START_MS, test } from './fixtures.ts'
import type { ProxiedFleet } from './proxied-fleet.ts'

// The fleet starts in a hook (FLEET_START_MS), not in the first test's time; with no toxic on its edge.
test.beforeAll(({ proxiedFleet }) => proxiedFleet.toxiproxy.reset(), FLEET_START_MS)
test.afterEach(async ({ proxiedFleet: { toxiproxy, fleet } }) => {
  await toxiproxy.reset()
  await fleet.order.call('DELETE', '/chaos')
})

/** A latency toxic on for 10 s, held for 3 s, then the rollback: clear-faults. */
const run = ({ fleet, apiUrl }: ProxiedFleet) =>
  runExperiment(
    readExperiment(
      JSON.stringify({
        title: 'observed',
        method: [
          {
            type: 'action',
            name: 'latency on order → restaurant',
            provider: {
              type: 'fleet',
              action: 'toxic',
              edge: 'order-restaurant',
              toxic: 'latency',
              attributes: { latency: 100 },
              ttl_s: 10,
            },
            pauses: { after: 3 },
          },
        ],
        rollbacks: [{ type: 'action', name: 'clear', provider: { type: 'fleet', action: 'clear-faults' } }],
      }),
      'observed.json',
      experimentEnv(fleet, { toxiproxy: apiUrl }),
    ),
    {
      scale: 1,
      hypothesisFrequencyS: 1,
      scrapeIntervalMs: 200,
      serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
    },
  )

const after = (ms: number, action: () => Promise<unknown>) =>
  new Promise((resolve, reject) => setTimeout(() => action().then(resolve, reject), ms))

test('records a toxic removed by another client as such, and the run as no evidence', async ({ proxiedFleet }) => {
  const { apiUrl } = proxiedFleet
  const [journal] = await Promise.all([
    run(proxiedFleet),
    after(1200, () => fetch(`${apiUrl}/proxies/order-restaurant/toxics/latency_downstream`, { method: 'DELETE' })),
  ])
  expect(journal.status).toBe('invalid')
  const [window] = journal.fault_windows
  expect(window).toMatchObject({ service: 'order-restaurant', fault: 'latency', ended_by: 'removed elsewhere' })
  // Seen gone within a scrape or two of its removal, not at its TTL (10 s).
  expect(window?.until_s).toBeGreaterThan(1)
  expect(window?.until_s).toBeLessThan(2.5)
  expect(journal.invalid_because).toEqual([expect.stringContaining('order-restaurant latency')])
}, 30_000)

test('records another client’s toxic and switch with their windows, and clears only its own', async ({
  proxiedFleet,
}) => {
  const { fleet, apiUrl, toxiproxy } = proxiedFleet
  await toxiproxy.get('order-restaurant').then((proxy) =>
    proxy.addToxic({
      name: 'theirs',
      type: 'bandwidth',
      stream: 'upstream',
      toxicity: 1,
      attributes: { rate: 1000 },
    }),
  )
  const [journal] = await Promise.all([
    run(proxiedFleet),
    after(1200, () => fleet.order.call('POST', '/chaos/delay', { json: { delay_ms: 5, ttl_s: 60 } })),
  ])
  expect(journal.status).toBe('invalid')
  const foreign = journal.fault_windows.filter((window) => window.foreign)
  expect(foreign.map((window) => [window.service, window.fault])).toEqual(
    expect.arrayContaining([
      ['order-restaurant', 'bandwidth'],
      ['order', 'delay'],
    ]),
  )
  const delay = foreign.find((window) => window.fault === 'delay')
  expect(delay?.from_s).toBeGreaterThan(1)
  expect(journal.fault_windows.find((window) => !window.foreign)).toMatchObject({
    fault: 'latency',
    ended_by: 'cleared',
  })
  // Its own toxic gone; the other client's toxic and switch still there.
  const toxics = (await (await fetch(`${apiUrl}/proxies/order-restaurant/toxics`)).json()) as { name: string }[]
  expect(toxics.map((toxic) => toxic.name)).toEqual(['theirs'])
  expect((await fleet.order.call('GET', '/chaos')).body.faults).toHaveProperty('delay')
}, 30_000)

test('stays valid when nobody else touches the fleet', async ({ proxiedFleet }) => {
  const journal = await run(proxiedFleet)
  expect(journal.status).toBe('completed')
  expect(journal.fault_windows).toEqual([expect.objectContaining({ fault: 'latency', ended_by: 'cleared' })])
}, 30_000)
