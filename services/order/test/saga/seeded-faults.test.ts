/**
 * A percentage fault set with a seed strikes the same requests again when set again with it: the
 * same orders of a sequence fail their payment, as a replayed experiment needs (`--seed`).
 */
import { describe, expect, it } from 'vitest'
import { FLEET_START_MS, fleetTest, type TestFleet } from '../helpers/fleet.ts'

// The file's helpers share the fixture's fleet; the fixture closes it after the last test.
let fleet: TestFleet
fleetTest.beforeAll(({ fleet: started }) => {
  fleet = started
}, FLEET_START_MS)

describe('a payment fault with a seed', () => {
  /** 16 orders one after another with half of the payments failing, drawn from `seed`. */
  async function outcomes(seed: number): Promise<string[]> {
    const menu = await fleet.restaurant.createMenu(100)
    const { headers } = await fleet.login()
    const set = await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 50, seed } })
    expect(set.status).toBe(200)
    expect((await fleet.order.call('GET', '/chaos')).body.faults.payment_fail).toMatchObject({ value: 50, seed })
    const statuses: string[] = []
    for (let i = 0; i < 16; i++) {
      const placed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])
      expect(placed.status).toBe(201)
      statuses.push(placed.body.status)
    }
    await fleet.order.call('DELETE', '/chaos')
    return statuses
  }

  it('fails the same orders of a sequence each time it is set with that seed, others with another', async () => {
    const first = await outcomes(42)
    expect(first).toContain('FAILED')
    expect(first).toContain('CONFIRMED')
    expect(await outcomes(42)).toEqual(first)
    expect(await outcomes(43)).not.toEqual(first)
  })

  it('refuses a seed that is not a 32-bit unsigned integer', async () => {
    for (const seed of [-1, 4_294_967_296, 1.5, '7']) {
      const answer = await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 50, seed } })
      expect(answer.status, String(seed)).toBe(400)
    }
  })
})
