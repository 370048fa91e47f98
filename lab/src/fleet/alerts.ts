/**
 * The fleet's alerts as an experiment reads them (docs/alerts.md): firing now, from Prometheus'
 * `/api/v1/alerts` or Alertmanager's API v2, for the `alert` probe; and every change of them while
 * the run goes, for the record's alerts.jsonl and the journal's time to page.
 */
import { request } from 'undici'

export interface Alert {
  labels: Record<string, string>
  /** pending (Prometheus, before its `for`), firing, or resolved (no longer seen). */
  state: 'pending' | 'firing' | 'resolved'
}

/**
 * A change of one alert while the run went: when (seconds from the run's start), to what, as
 * Prometheus evaluated it or as Alertmanager notified the run's webhook (with the alert's start).
 */
export interface AlertChange extends Alert {
  at_s: number
  alert: string
  source: 'prometheus' | 'alertmanager'
  starts_at?: string
}

async function getJson(url: string): Promise<unknown> {
  const answer = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 })
  if (answer.statusCode !== 200) {
    await answer.body.dump()
    throw new Error(`${url} answered ${answer.statusCode}`)
  }
  return answer.body.json()
}

/** The alerts Prometheus evaluates as pending or firing now. */
export async function prometheusAlerts(prometheusUrl: string): Promise<Alert[]> {
  const body = (await getJson(`${prometheusUrl}/api/v1/alerts`)) as {
    data: { alerts: { labels: Record<string, string>; state: string }[] }
  }
  return body.data.alerts.map(({ labels, state }) => ({ labels, state: state === 'firing' ? 'firing' : 'pending' }))
}

/** The alerts Alertmanager holds as active (received, not silenced or inhibited). */
export async function alertmanagerAlerts(alertmanagerUrl: string): Promise<Alert[]> {
  const body = (await getJson(`${alertmanagerUrl}/api/v2/alerts?active=true&silenced=false&inhibited=false`)) as {
    labels: Record<string, string>
  }[]
  return body.map(({ labels }) => ({ labels, state: 'firing' }))
}

/** The alerting rules' names Prometheus has loaded, or undefined when none answers. */
export async function alertNames(prometheusUrl: string): Promise<string[] | undefined> {
  try {
    const body = (await getJson(`${prometheusUrl}/api/v1/rules?type=alert`)) as {
      data: { groups: { rules: { name: string }[] }[] }
    }
    return [...new Set(body.data.groups.flatMap((group) => group.rules.map((rule) => rule.name)))]
  } catch {
    return undefined
  }
}

/** Whether an alert is the one a probe names: its name (if given) and every label it gives. */
export const matches = (alert: Alert, name: string | undefined, labels: Record<string, string> = {}) =>
  (name === undefined || alert.labels.alertname === name) &&
  Object.entries(labels).every(([label, value]) => alert.labels[label] === value)

/** An alert's identity across readings: its labels. */
const keyOf = (alert: Alert) => JSON.stringify(Object.entries(alert.labels).sort(([a], [b]) => a.localeCompare(b)))

/**
 * Reads Prometheus' alerts at every call and keeps each change: a new alert pending or firing, a
 * pending one firing, one no longer seen resolved. A Prometheus that does not answer changes nothing.
 */
export class AlertWatcher {
  readonly changes: AlertChange[] = []
  readonly #last = new Map<string, Alert>()

  constructor(
    private readonly prometheusUrl: string,
    private readonly seconds: () => number,
  ) {}

  async read(): Promise<void> {
    const now = await prometheusAlerts(this.prometheusUrl).catch(() => undefined)
    if (!now) return
    const at_s = Math.round(this.seconds() * 10) / 10
    const seen = new Set<string>()
    for (const alert of now) {
      const key = keyOf(alert)
      seen.add(key)
      if (this.#last.get(key)?.state !== alert.state) this.#record(at_s, alert)
      this.#last.set(key, alert)
    }
    for (const [key, alert] of this.#last) {
      if (seen.has(key)) continue
      this.#record(at_s, { labels: alert.labels, state: 'resolved' })
      this.#last.delete(key)
    }
  }

  #record(at_s: number, alert: Alert) {
    this.changes.push({
      at_s,
      source: 'prometheus',
      alert: alert.labels.alertname ?? '',
      labels: alert.labels,
      state: alert.state,
    })
  }
}

/** Seconds from `fromS` to the first page firing at or after it among `changes`; null when none did. */
export function firstPageAfter(changes: AlertChange[], fromS: number): number | null {
  const page = changes.find(
    (change) => change.state === 'firing' && change.labels.severity === 'page' && change.at_s >= fromS,
  )
  return page ? Math.round((page.at_s - fromS) * 10) / 10 : null
}
