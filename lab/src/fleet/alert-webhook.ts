/**
 * Alertmanager's webhook, received while a run goes (docs/alerts.md#in-experiments): each
 * notification's alerts with their labels and times, for the record's alerts.jsonl and the time
 * to page as a person would be paged. npm start's Alertmanager sends to 127.0.0.1:ALERT_WEBHOOK_PORT (9095).
 */
import { createServer, type Server } from 'node:http'
import { errorBody } from '@food/errors'
import type { AlertChange } from './alerts.ts'

/** Alertmanager's webhook payload (version 4), the fields read. */
interface WebhookPayload {
  receiver?: string
  alerts?: { status?: string; labels?: Record<string, string>; startsAt?: string; endsAt?: string }[]
}

const MAX_BODY = 1_000_000

export class AlertWebhook {
  readonly notifications: AlertChange[] = []

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  /** Listening at `host:port`; undefined (and why, said) when that address is taken or refused. */
  static async listen(
    address: string,
    seconds: () => number,
    say: (message: string) => void,
  ): Promise<AlertWebhook | undefined> {
    const [host = '127.0.0.1', port = '9095'] = address.split(':')
    let webhook: AlertWebhook | undefined
    const server = createServer((request, response) => {
      let body = ''
      request.setEncoding('utf8')
      request.on('data', (chunk: string) => {
        body += chunk
        if (body.length > MAX_BODY) request.destroy()
      })
      request.on('end', () => {
        try {
          webhook?.receive(JSON.parse(body) as WebhookPayload, Math.round(seconds() * 10) / 10)
          response.writeHead(200).end()
        } catch {
          response.writeHead(400, { 'content-type': 'application/json' })
          response.end(
            JSON.stringify(errorBody('VALIDATION_ERROR', 'not an Alertmanager webhook payload: JSON with `alerts`')),
          )
        }
      })
    })
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(Number(port), host, () => resolve())
      })
    } catch (error) {
      say(
        `the alert webhook cannot listen at ${address} (${(error as Error).message}): alerts.jsonl from Prometheus only`,
      )
      return undefined
    }
    const bound = server.address()
    webhook = new AlertWebhook(server, `${host}:${typeof bound === 'object' && bound ? bound.port : port}`)
    return webhook
  }

  private receive(payload: WebhookPayload, at_s: number) {
    if (!Array.isArray(payload.alerts)) throw new Error('no alerts')
    for (const alert of payload.alerts) {
      const labels = alert.labels ?? {}
      this.notifications.push({
        at_s,
        source: 'alertmanager',
        alert: labels.alertname ?? '',
        labels,
        state: alert.status === 'resolved' ? 'resolved' : 'firing',
        ...(alert.startsAt ? { starts_at: alert.startsAt } : {}),
      })
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
