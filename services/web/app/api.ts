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

/**
 * Calls a service and returns its JSON answer; an answer that is not ok throws an ApiError with
 * the fleet's message (`detail`) and code.
 */
// biome-ignore lint/suspicious/noExplicitAny: each view reads the fields it shows
export async function api<T = any>(service: FleetService, path: string, options: CallOptions = {}): Promise<T> {
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
  return data as T
}

/** What to show of an error: the fleet's message for an answer, else the error itself. */
export const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : String(error))

/** A service's Prometheus metrics, as text. */
export async function metricsOf(service: FleetService): Promise<string> {
  const response = await fetch(`/api/${service}/metrics`)
  if (!response.ok) throw new ApiError(response.status, `metrics of ${service}: ${response.status}`)
  return response.text()
}
