import type { AlertsView, ShownAlert } from './alerts-wire.ts'

// A console polls every 2 s: a Prometheus that hangs is said to be unreachable rather than waited for.
const TIMEOUT_MS = 2000

/** The parts of Prometheus' GET /api/v1/rules?type=alert that the console shows. */
interface RuleAlert {
  labels: Record<string, string>
  annotations: Record<string, string>
  state: string
  activeAt: string
  value: string
}
interface AlertingRule {
  type: string
  query: string
  alerts?: RuleAlert[]
}
interface RulesAnswer {
  status: string
  data?: { groups?: { rules?: AlertingRule[] }[] }
}

const shown = (rule: AlertingRule, alert: RuleAlert, runbookOf: (url: string) => string | null): ShownAlert => {
  const runbookUrl = alert.annotations.runbook_url ?? null
  return {
    name: alert.labels.alertname ?? '',
    state: alert.state as ShownAlert['state'],
    severity: alert.labels.severity ?? null,
    labels: alert.labels,
    summary: alert.annotations.summary ?? '',
    description: alert.annotations.description ?? '',
    runbook_url: runbookUrl,
    runbook: runbookUrl === null ? null : runbookOf(runbookUrl),
    active_at: alert.activeAt,
    expr: rule.query,
    value: alert.value,
  }
}

const rank = (alert: ShownAlert) => [alert.state === 'firing' ? 0 : 1, alert.severity === 'page' ? 0 : 1] as const

/** Firing before pending, pages before tickets, then the oldest first. */
const byUrgency = (a: ShownAlert, b: ShownAlert) => {
  const [ra, rb] = [rank(a), rank(b)]
  return ra[0] - rb[0] || ra[1] - rb[1] || Date.parse(a.active_at) - Date.parse(b.active_at)
}

/** Why Prometheus did not answer, in a few words: `ECONNREFUSED`, a timeout, or an answer that was not its own. */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`
  if (error instanceof SyntaxError) return 'its answer is not JSON: not Prometheus'
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (error as Error).message
}

/**
 * The firing and pending alerts of the Prometheus at `prometheus`, each with its rule's expression.
 * One request, to the rules API: an alert there sits under the rule that made it, where matching
 * /api/v1/alerts by name would mix up the page and the ticket rule of one SLO (same alertname).
 */
export async function readAlerts(prometheus: string, runbookOf: (url: string) => string | null): Promise<AlertsView> {
  const base = prometheus.replace(/\/+$/, '')
  try {
    const response = await fetch(`${base}/api/v1/rules?type=alert`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
    if (!response.ok) throw new Error(`it answered ${response.status}`)
    const answer = (await response.json()) as RulesAnswer
    const groups = answer.data?.groups
    if (answer.status !== 'success' || !Array.isArray(groups)) throw new Error('its answer is not Prometheus’ rules')
    const alerts = groups
      .flatMap((group) => group.rules ?? [])
      .filter((rule) => rule.type === 'alerting')
      .flatMap((rule) =>
        (rule.alerts ?? [])
          .filter((alert) => alert.state === 'firing' || alert.state === 'pending')
          .map((alert) => shown(rule, alert, runbookOf)),
      )
    return { prometheus: base, reachable: true, alerts: alerts.sort(byUrgency) }
  } catch (error) {
    return { prometheus: base, reachable: false, error: reasonOf(error), alerts: [] }
  }
}
