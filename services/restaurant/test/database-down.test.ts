import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startRestaurantService, type TestRestaurantService } from './helpers/restaurant-service.ts'

// A server that does not listen stands for a stopped PostgreSQL (stopping the shared one would
// break the test files running beside this one).
describe('with PostgreSQL down', () => {
  let service: TestRestaurantService
  beforeAll(async () => {
    service = await startRestaurantService({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/restaurant_db' })
  })
  afterAll(() => service.close())

  it.each([
    ['GET', '/menus', undefined],
    ['GET', '/menus/1', undefined],
    ['GET', '/restaurants', undefined],
    ['GET', '/inventory/1', undefined],
    ['PUT', '/inventory/1', { order_id: 'db-down', quantity: 1, operation: 'reserve' }],
  ])('%s %s answers 503 DATABASE_UNAVAILABLE, not a 500', async (method, path, json) => {
    const response = await service.call(method, path, { json })
    expect(response.status).toBe(503)
    expect(response.body).toEqual(errorBody('DATABASE_UNAVAILABLE'))
  })

  it('still answers its metrics: the stock gauge that reads PostgreSQL counts its failure instead of failing the scrape', async () => {
    const response = await fetch(`${service.baseUrl}/metrics`)
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).toMatch(/metrics_collect_failures_total\{metric="inventory_stock_units",service="restaurant"\} [1-9]/)
    expect(text).toContain('inventory_changes_total')
    expect(text).toContain('http_server_request_duration_seconds_count')
  })
})
