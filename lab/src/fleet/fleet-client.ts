/**
 * The lab's HTTP client of the fleet's services: loads, fleet actions, scrapes and invariant checks
 * go through it (docs/load-testing.md#the-seven-load-experiments).
 */
import { Agent } from 'undici'
import type { Recorder } from './recorder.ts'
import type { Targets } from './targets.ts'

export interface Answer {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: whatever JSON the service answered
  body: any
  headers: Record<string, string | string[] | undefined>
}

export type Service = keyof Targets

/** HTTP to the fleet, each call timed and recorded under its endpoint name (`POST /orders`). */
export class FleetClient {
  readonly #targets: Targets
  readonly #recorder: Recorder
  readonly #agent = new Agent({ connections: 256, headersTimeout: 30_000, bodyTimeout: 30_000 })
  readonly #chaosToken: string | undefined

  /** `chaosToken`: sent with every chaos change (X-Chaos-Token), for a fleet that requires it. */
  constructor(targets: Targets, recorder: Recorder, chaosToken?: string) {
    this.#targets = targets
    this.#recorder = recorder
    this.#chaosToken = chaosToken
  }

  async call(
    service: Service,
    method: string,
    path: string,
    options: {
      endpoint?: string
      json?: unknown
      token?: string
      headers?: Record<string, string>
      record?: boolean
    } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.json !== undefined) headers['content-type'] = 'application/json'
    if (options.token) headers.authorization = `Bearer ${options.token}`
    if (this.#chaosToken && method !== 'GET' && path.startsWith('/chaos')) headers['x-chaos-token'] = this.#chaosToken
    const startedAt = performance.now()
    let answer: Answer
    try {
      const response = await this.#agent.request({
        origin: new URL(this.#targets[service]).origin,
        path: `${new URL(this.#targets[service]).pathname.replace(/\/$/, '')}${path}`,
        method: method as 'GET',
        headers,
        body: options.json === undefined ? null : JSON.stringify(options.json),
      })
      const text = await response.body.text()
      answer = { status: response.statusCode, headers: response.headers, body: text ? safeJson(text) : undefined }
    } catch (error) {
      // No answer at all (refused, reset, timed out): status 0, and the run goes on.
      answer = { status: 0, headers: {}, body: { error: { code: (error as { code?: string }).code ?? 'NETWORK' } } }
    }
    if (options.record !== false) {
      const cache = answer.headers['x-cache']
      this.#recorder.add({
        startedAt,
        endpoint: options.endpoint ?? `${method} ${path}`,
        status: answer.status,
        latencyMs: performance.now() - startedAt,
        ...(typeof cache === 'string' ? { cache } : {}),
        // Reads repeat what a write decided: only the write counts the reason.
        ...(method !== 'GET' && reasonOf(answer) ? { reason: reasonOf(answer) } : {}),
      })
    }
    return answer
  }

  close(): Promise<void> {
    return this.#agent.close()
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function reasonOf(answer: Answer): string | undefined {
  if (answer.body?.failure_reason) return answer.body.failure_reason
  if (answer.status >= 400 || answer.status === 0) return answer.body?.error?.code
  return undefined
}
