/**
 * `k6/metrics`: custom metrics, recorded as the built-in ones are
 * (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci).
 */
import type { MetricType } from '../metrics.ts'
import { record, vu } from '../vu-state.ts'

class Metric {
  readonly name: string
  readonly #type: MetricType

  constructor(name: string, type: MetricType) {
    this.name = name
    this.#type = type
    vu.declaredMetrics[name] = type
  }

  add(value: number | boolean, tags: Record<string, string> = {}): void {
    record({ metric: this.name, type: this.#type, value: Number(value), tags })
  }
}

export class Counter extends Metric {
  constructor(name: string) {
    super(name, 'counter')
  }
}
export class Gauge extends Metric {
  constructor(name: string) {
    super(name, 'gauge')
  }
}
export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate')
  }
}
export class Trend extends Metric {
  constructor(name: string) {
    super(name, 'trend')
  }
}

export default { Counter, Gauge, Rate, Trend }
