/**
 * The run's receiver of Alertmanager's webhook (docs/alerts.md#in-experiments): each alert of a
 * notification kept with its time; what is not a notification refused with a 400, nothing kept;
 * a taken address said, not thrown.
 */
import { afterAll, expect, test } from 'vitest'
import { AlertWebhook } from '../src/fleet/alert-webhook.ts'

const said: string[] = []
const webhook = (await AlertWebhook.listen(
  '127.0.0.1:0',
  () => 12.34,
  (message) => said.push(message),
)) as AlertWebhook
afterAll(() => webhook.close())
const post = (body: string) => fetch(`http://${webhook.address}/alerts`, { method: 'POST', body })

test('keeps each alert of a notification, firing or resolved, with the time it came and its start', async () => {
  const answer = await post(
    JSON.stringify({
      version: '4',
      status: 'firing',
      receiver: 'lab',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'ServiceDown', severity: 'page', job: 'order-service' },
          startsAt: '2026-12-07T18:00:00Z',
        },
        { status: 'resolved', labels: { alertname: 'CacheErrors', severity: 'ticket' } },
      ],
    }),
  )
  expect(answer.status).toBe(200)
  expect(webhook.notifications).toEqual([
    {
      at_s: 12.3,
      source: 'alertmanager',
      alert: 'ServiceDown',
      labels: { alertname: 'ServiceDown', severity: 'page', job: 'order-service' },
      state: 'firing',
      starts_at: '2026-12-07T18:00:00Z',
    },
    {
      at_s: 12.3,
      source: 'alertmanager',
      alert: 'CacheErrors',
      labels: { alertname: 'CacheErrors', severity: 'ticket' },
      state: 'resolved',
    },
  ])
})

test('refuses what is not a notification with a 400 in the fleet’s error shape, keeping nothing', async () => {
  const before = webhook.notifications.length
  for (const body of ['not json', '{"status": "firing"}']) {
    const answer = await post(body)
    expect(answer.status).toBe(400)
    expect(await answer.json()).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('alerts') },
    })
  }
  expect(webhook.notifications.length).toBe(before)
})

test('an address already taken is said, and the run goes on without it', async () => {
  expect(
    await AlertWebhook.listen(
      webhook.address,
      () => 0,
      (message) => said.push(message),
    ),
  ).toBeUndefined()
  expect(said.at(-1)).toMatch(
    /^the alert webhook cannot listen at 127\.0\.0\.1:\d+ \(.*EADDRINUSE.*\): alerts\.jsonl from Prometheus only$/,
  )
})
