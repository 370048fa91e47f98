/**
 * The store's own metrics (Prometheus text format, on the API's /metrics as Tempo serves its
 * own): what came in, what was refused and why, what was decided, what it holds and evicted.
 * One registry per store: several stores in one process (tests) keep their counts apart.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client'
import type { StoreObserver, TraceStore } from './store/store.ts'

export class TraceStoreMetrics {
  readonly registry = new Registry()
  readonly spansReceived = new Counter({
    name: 'trace_store_spans_received_total',
    help: 'Spans accepted by the OTLP receiver',
    registers: [this.registry],
  })
  readonly spansRefused = new Counter({
    name: 'trace_store_spans_refused_total',
    help: 'Spans of an accepted request refused alone (answered in partialSuccess), by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  })
  readonly requestsRefused = new Counter({
    name: 'trace_store_requests_refused_total',
    help: 'Export requests refused whole, by reason: malformed (400), too_large (413), unsupported_media_type and unsupported_encoding (415)',
    labelNames: ['reason'],
    registers: [this.registry],
  })
  readonly decisions = new Counter({
    name: 'trace_store_decisions_total',
    help: 'Traces decided by tail sampling: kept (reason error, event, slow or share) or dropped',
    labelNames: ['decision', 'reason'],
    registers: [this.registry],
  })
  readonly evicted = new Counter({
    name: 'trace_store_evicted_total',
    help: 'Traces evicted to stay within the memory bound, by state (kept, or pending when pending traces alone filled it)',
    labelNames: ['state'],
    registers: [this.registry],
  })
  readonly lateSpans = new Counter({
    name: 'trace_store_late_spans_total',
    help: 'Spans that came after their trace was decided, by that decision (kept: added to it; dropped: dropped too)',
    labelNames: ['decision'],
    registers: [this.registry],
  })

  constructor(store: () => TraceStore | undefined, maxBytes: number) {
    // Counters a dashboard charts exist from the start at 0: "none", not "no data".
    for (const reason of ['malformed', 'too_large', 'unsupported_media_type', 'unsupported_encoding']) {
      this.requestsRefused.inc({ reason }, 0)
    }
    for (const reason of ['error', 'event', 'slow', 'share']) this.decisions.inc({ decision: 'kept', reason }, 0)
    this.decisions.inc({ decision: 'dropped', reason: 'none' }, 0)
    for (const state of ['kept', 'pending']) this.evicted.inc({ state }, 0)
    for (const decision of ['kept', 'dropped']) this.lateSpans.inc({ decision }, 0)
    new Gauge({
      name: 'trace_store_bytes',
      help: 'Estimated bytes held (traces pending and kept, their resources and scopes, dropped ids), read at scrape time',
      registers: [this.registry],
      collect() {
        this.set(store()?.bytes ?? 0)
      },
    })
    new Gauge({
      name: 'trace_store_max_bytes',
      help: 'The bound on trace_store_bytes (maxBytes)',
      registers: [this.registry],
    }).set(maxBytes)
    new Gauge({
      name: 'trace_store_traces',
      help: 'Traces held, by state: pending (waiting for their decision) or kept',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.set({ state: 'pending' }, store()?.pendingCount ?? 0)
        this.set({ state: 'kept' }, store()?.keptCount ?? 0)
      },
    })
    collectDefaultMetrics({ register: this.registry })
  }

  /** The store's events, counted. */
  observer(): StoreObserver {
    return {
      decided: (keep, reason) =>
        this.decisions.inc({ decision: keep ? 'kept' : 'dropped', reason: keep ? (reason ?? 'none') : 'none' }),
      evicted: (state) => this.evicted.inc({ state }),
      late: (decision, spans) => this.lateSpans.inc({ decision }, spans),
    }
  }
}
