import type { FaultDefinition } from '@food/chaos'
import { Type } from '@sinclair/typebox'

export const inventoryDelayFault: FaultDefinition = {
  name: 'inventory_delay',
  route: 'inventory_delay',
  field: 'delay_ms',
  schema: Type.Integer({ minimum: 0, maximum: 60_000, examples: [3000] }),
  summary: 'Delay stock changes while the row lock is held',
  description:
    'Every reserve and restore waits delay_ms inside its transaction, holding the menu row lock (pessimistic, atomic), so lock contention shows under load. Under the optimistic strategy, the wait sits between read and versioned update, so version conflicts show instead. 0 switches it off.',
}
