// GET /api/alerts's answer, as types only: the web server makes it, the console reads it.

/** One alert of Prometheus' rules, firing or pending. */
export interface ShownAlert {
  name: string
  state: 'firing' | 'pending'
  /** `page` or `ticket` for the fleet's rules; null when the rule gives none. */
  severity: string | null
  labels: Record<string, string>
  summary: string
  description: string
  /** As the rule says it: `docs/alerts.md#servicedown`, or a full URL. */
  runbook_url: string | null
  /** That runbook's text, read from docs/alerts.md, when the web server has the docs. */
  runbook: string | null
  /** When it became active (pending; firing once its `for` has passed). */
  active_at: string
  /** The expression of the very rule that made it (two rules may share an alert name). */
  expr: string
  value: string
}

export interface AlertsView {
  /** Prometheus' base URL, the one the graph links open. */
  prometheus: string
  /** Whether Prometheus answered; when not, `alerts` is empty and `error` says why. */
  reachable: boolean
  error?: string
  /** Firing first, pages before tickets, the oldest first. */
  alerts: ShownAlert[]
}
