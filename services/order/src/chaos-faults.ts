import type { FaultDefinition } from '@food/chaos'
import { Type } from '@sinclair/typebox'

const Percent = Type.Integer({ minimum: 0, maximum: 100, examples: [30] })

export const paymentFailFault: FaultDefinition = {
  name: 'payment_fail',
  route: 'payment_fail',
  field: 'fail_percent',
  schema: Percent,
  summary: 'Make the simulated payment fail',
  description:
    'fail_percent of payments fail: the order is answered 201 with status FAILED and payment_status failed, and its stock is given back. 0 switches it off.',
}

export const restoreFailFault: FaultDefinition = {
  name: 'restore_fail',
  route: 'restore_fail',
  field: 'fail_percent',
  schema: Percent,
  summary: 'Make stock restores (the compensation) fail',
  description:
    'fail_percent of restores fail before reaching the restaurant. They are retried with backoff, then finished by the recoverer: stock is conserved all the same. 0 switches it off.',
}
