// The web server's own JSON routes (the trace store's API, logs, the service map, the charts), read
// so that each page can say what happened: the answer, the store or Prometheus not there, a bad
// parameter named, or a server without these routes (the compose stack's gateway).

export type Answer<T> =
  | { kind: 'ok'; data: T; headers: Headers }
  /** 200 `{reachable: false, error}`: the store (or the log directory) is not there. */
  | { kind: 'unavailable'; error: string }
  /** A 4xx in the fleet's shape: its code, message and, for a bad parameter, which. */
  | { kind: 'refused'; status: number; code: string; message: string }
  /** This server has no such route: the gateway of the compose stack serves only the services. */
  | { kind: 'absent' }
  | { kind: 'failed'; message: string }

export async function getJson<T>(path: string): Promise<Answer<T>> {
  let response: Response
  try {
    response = await fetch(path, { headers: { accept: 'application/json' } })
  } catch {
    return { kind: 'failed', message: 'The web server did not answer.' }
  }
  let body: unknown
  try {
    body = await response.json()
  } catch {
    return response.status === 404
      ? { kind: 'absent' }
      : { kind: 'failed', message: `${response.status} ${response.statusText}` }
  }
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error
  if (!response.ok) {
    if (response.status === 404 && (error?.code === 'ROUTE_NOT_FOUND' || !error)) return { kind: 'absent' }
    return {
      kind: 'refused',
      status: response.status,
      code: error?.code ?? String(response.status),
      message: error?.message ?? `${response.status} ${response.statusText}`,
    }
  }
  const said = body as { reachable?: boolean; error?: unknown }
  if (said.reachable === false) return { kind: 'unavailable', error: String(said.error ?? 'not reachable') }
  return { kind: 'ok', data: body as T, headers: response.headers }
}

/** `12 ms`, `1.25 s`: a duration to read at a glance. */
export function durationText(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

/** `18:43:11`: a time of day, to the second. */
export const clock = (unixMs: number) =>
  new Date(unixMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
