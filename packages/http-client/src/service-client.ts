import { type AppError, gatewayTimeout, serviceUnavailable } from '@food/errors'
import { traceExemplar } from '@food/metrics'
import type { Counter, Histogram } from 'prom-client'
import { Agent, type Dispatcher, errors } from 'undici'

export interface ClientInstruments {
  duration: Histogram<'target' | 'method' | 'status_code'>
  failures: Counter<'target' | 'kind'>
}

export interface ServiceClientOptions {
  /** Name of the service called, for error messages and metrics (e.g. `user`). */
  name: string
  baseUrl: string
  /** Time allowed to open a TCP connection. */
  connectTimeoutMs: number
  /** Time allowed for a whole call, from sending to the last byte of the body. */
  requestTimeoutMs: number
  instruments?: ClientInstruments
}

export interface ServiceRequest {
  method: Dispatcher.HttpMethod
  path: string
  headers?: Record<string, string>
  body?: unknown
  /** Overrides the client's request timeout for this call. */
  timeoutMs?: number
}

export interface ServiceResponse<T> {
  statusCode: number
  headers: Record<string, string | string[] | undefined>
  body: T
}

/** The `kind` of a call that got no usable answer: its deadline passed, its body was not JSON, or nobody answered. */
const FAILURE_KINDS = ['timeout', 'bad_response', 'unavailable'] as const
type FailureKind = (typeof FAILURE_KINDS)[number]
const FAILURE_KIND_OF_CODE: Record<string, FailureKind> = {
  DEPENDENCY_TIMEOUT: 'timeout',
  DEPENDENCY_BAD_RESPONSE: 'bad_response',
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/**
 * HTTP client for calls between fleet services. Every call has a deadline, so a slow
 * dependency costs a bounded wait and becomes a 504 (too slow) or 503 (unreachable)
 * instead of a hang. Non-2xx answers are returned, not thrown: the caller decides.
 */
export class ServiceClient {
  readonly #options: ServiceClientOptions
  readonly #agent: Agent

  constructor(options: ServiceClientOptions) {
    this.#options = options
    this.#agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      keepAliveTimeout: 10_000,
    })
    // Each series exists from the start at 0: "no failed call" rather than no data.
    for (const kind of FAILURE_KINDS) options.instruments?.failures.inc({ target: options.name, kind }, 0)
  }

  async request<T = unknown>(request: ServiceRequest): Promise<ServiceResponse<T>> {
    const timeoutMs = request.timeoutMs ?? this.#options.requestTimeoutMs
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
    if (request.body !== undefined) headers['content-type'] = 'application/json'
    const { instruments, name: target } = this.#options
    const stopTimer = instruments?.duration.startTimer({ target, method: request.method }, traceExemplar())
    try {
      const response = await this.#agent.request({
        origin: this.#options.baseUrl,
        path: request.path,
        method: request.method,
        headers,
        body: request.body === undefined ? null : JSON.stringify(request.body),
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      })
      const text = await response.body.text()
      const body = (text ? JSON.parse(text) : undefined) as T
      stopTimer?.({ status_code: String(response.statusCode) })
      return { statusCode: response.statusCode, headers: response.headers, body }
    } catch (error) {
      const failure = this.#translate(error, request, timeoutMs)
      const kind = FAILURE_KIND_OF_CODE[failure.code] ?? 'unavailable'
      stopTimer?.({ status_code: kind })
      instruments?.failures.inc({ target, kind })
      throw failure
    }
  }

  async close(): Promise<void> {
    await this.#agent.close()
  }

  #translate(error: unknown, request: ServiceRequest, timeoutMs: number): AppError {
    const target = `${this.#options.name} ${request.method} ${request.path}`
    const code = (error as { code?: string }).code
    const name = (error as Error).name
    if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) {
      return gatewayTimeout('DEPENDENCY_TIMEOUT', `${target} did not answer within ${timeoutMs} ms`, {
        dependency: this.#options.name,
      })
    }
    if (error instanceof SyntaxError) {
      return serviceUnavailable('DEPENDENCY_BAD_RESPONSE', `${target} answered with a body that is not JSON`, {
        dependency: this.#options.name,
      })
    }
    const reason = error instanceof errors.UndiciError || code ? (code ?? name) : (error as Error).message
    return serviceUnavailable('DEPENDENCY_UNAVAILABLE', `${target} is unreachable (${reason})`, {
      dependency: this.#options.name,
    })
  }
}
