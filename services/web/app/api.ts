// The fleet's services (one list, @food/config's), behind the same `/api/…` prefixes as the original's front end.
import type { FleetService } from '@food/config/service-ports'

export class ApiError extends Error {
  readonly status: number
  readonly code: string | undefined

  constructor(status: number, message: string, code?: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

export interface SignedInUser {
  id: number
  username: string
}

const TOKEN = 'food.token'
const USER = 'food.user'

/** Who is signed in, kept in localStorage like the original's front end. */
export const session = {
  token: () => localStorage.getItem(TOKEN),
  user: (): SignedInUser | null => JSON.parse(localStorage.getItem(USER) ?? 'null'),
  signIn(token: string, user: SignedInUser) {
    localStorage.setItem(TOKEN, token)
    localStorage.setItem(USER, JSON.stringify(user))
  },
  signOut() {
    localStorage.removeItem(TOKEN)
    localStorage.removeItem(USER)
  },
}

interface CallOptions {
  method?: string
  json?: unknown
  headers?: Record<string, string>
}

/** A trace id as the services send it in X-Trace-Id. */
export const TRACE_ID = /^[0-9a-f]{32}$/

/**
 * Calls a service and returns its JSON answer; an answer that is not ok throws an ApiError with
 * the fleet's message (`detail`) and code.
 */
// biome-ignore lint/suspicious/noExplicitAny: each view reads the fields it shows
export async function api<T = any>(service: FleetService, path: string, options: CallOptions = {}): Promise<T> {
  return (await tracedApi<T>(service, path, options)).data
}

/** `api`, and the answer's X-Trace-Id (the trace of the request, when the fleet traced it). */
// biome-ignore lint/suspicious/noExplicitAny: each view reads the fields it shows
export async function tracedApi<T = any>(
  service: FleetService,
  path: string,
  options: CallOptions = {},
): Promise<{ data: T; traceId: string | undefined }> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.json !== undefined) headers['content-type'] = 'application/json'
  const token = session.token()
  if (token && !headers.authorization) headers.authorization = `Bearer ${token}`
  let response: Response
  try {
    response = await fetch(`/api/${service}${path}`, {
      method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    })
  } catch {
    throw new ApiError(0, `The ${service} service cannot be reached`)
  }
  const header = response.headers.get('x-trace-id') ?? ''
  const traceId = TRACE_ID.test(header) ? header : undefined
  const text = await response.text()
  let data: unknown
  try {
    data = text ? JSON.parse(text) : undefined
  } catch {
    data = undefined
  }
  if (!response.ok) {
    const body = data as { detail?: string; error?: { code?: string; message?: string } } | undefined
    const message = body?.detail ?? body?.error?.message ?? `${response.status} ${response.statusText}`
    if (response.status === 401 && path !== '/login') session.signOut()
    throw new ApiError(response.status, message, body?.error?.code)
  }
  return { data: data as T, traceId }
}

const ORDER_TRACES = 'food.orderTraces'
// The newest orders' traces are kept: My orders shows 50.
const KEPT_ORDER_TRACES = 200

/** The trace of each order this browser placed, by order id (its POST /orders' X-Trace-Id), in localStorage. */
export const orderTraces = {
  all(): Record<string, string> {
    try {
      return JSON.parse(localStorage.getItem(ORDER_TRACES) ?? '{}') as Record<string, string>
    } catch {
      return {}
    }
  },
  of: (orderId: number): string | undefined => orderTraces.all()[String(orderId)],
  remember(orderId: number, traceId: string) {
    const entries = Object.entries({ ...orderTraces.all(), [String(orderId)]: traceId })
    entries.sort(([a], [b]) => Number(a) - Number(b))
    localStorage.setItem(ORDER_TRACES, JSON.stringify(Object.fromEntries(entries.slice(-KEPT_ORDER_TRACES))))
  },
}

/** What to show of an error: the fleet's message for an answer, else the error itself. */
export const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : String(error))

/** A service's Prometheus metrics, as text. */
export async function metricsOf(service: FleetService): Promise<string> {
  const response = await fetch(`/api/${service}/metrics`)
  if (!response.ok) throw new ApiError(response.status, `metrics of ${service}: ${response.status}`)
  return response.text()
}
