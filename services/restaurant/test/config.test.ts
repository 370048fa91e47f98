import { describe, expect, it } from 'vitest'
import { loadRestaurantConfig } from '../src/config.ts'

const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/restaurant_db'

describe('configuration', () => {
  it('takes a locking strategy, pessimistic by default', () => {
    expect(loadRestaurantConfig({ DATABASE_URL }).STOCK_LOCK_STRATEGY).toBe('pessimistic')
    expect(loadRestaurantConfig({ DATABASE_URL, STOCK_LOCK_STRATEGY: 'atomic' }).STOCK_LOCK_STRATEGY).toBe('atomic')
    expect(() => loadRestaurantConfig({ DATABASE_URL, STOCK_LOCK_STRATEGY: 'magic' })).toThrow(/STOCK_LOCK_STRATEGY/)
  })

  it('refuses the unsafe strategy unless it is asked for explicitly', () => {
    expect(() => loadRestaurantConfig({ DATABASE_URL, STOCK_LOCK_STRATEGY: 'unsafe' })).toThrow(
      /ALLOW_UNSAFE_STOCK_STRATEGY=true/,
    )
    const config = loadRestaurantConfig({
      DATABASE_URL,
      STOCK_LOCK_STRATEGY: 'unsafe',
      ALLOW_UNSAFE_STOCK_STRATEGY: 'true',
    })
    expect(config.STOCK_LOCK_STRATEGY).toBe('unsafe')
  })
})
