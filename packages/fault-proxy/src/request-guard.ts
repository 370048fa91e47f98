/**
 * Which requests a control plane of the lab answers (the services, the fault proxy's API, the web
 * server; packages/supervisor's engine-api.mjs has a copy, tested against this one): on loopback they need no
 * token, so a page the user visits must not drive them. Two rules, as Vite's and webpack's dev
 * servers have them:
 * - DNS rebinding: the `Host` must be a loopback name, an IP address (a rebinding needs a name the
 *   attacker's DNS answers) or one of the configured names (ALLOWED_HOSTS: the compose stack's and
 *   the cluster's service names); `.example.com` takes example.com and every name below it;
 * - cross-site requests: a change (any method but GET, HEAD, OPTIONS) whose `Origin` is present must
 *   come from a loopback or configured host, or from the server's own origin (same `Host`).
 * Pure functions: each server answers the refusal in its own error dialect.
 */

/** Names every control plane takes: this machine's, and Docker's name for the host (Prometheus). */
const BUILT_IN_HOSTS = ['localhost', 'host.docker.internal']
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** ALLOWED_HOSTS (`user,restaurant,.example.com`) as a list of lower-case names. */
export const parseAllowedHosts = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean)

/** The host name of a `Host` header or an origin's host (port and IPv6 brackets off), lower case. */
export function hostNameOf(host: string): string {
  const name = host.trim().toLowerCase()
  if (name.startsWith('[')) return name.slice(1, name.indexOf(']') === -1 ? undefined : name.indexOf(']'))
  return name.replace(/:\d*$/, '').replace(/\.$/, '')
}

const isIpv4 = (name: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(name)
const isIp = (name: string) => isIpv4(name) || /^[0-9a-f:.]*:[0-9a-f:.]*$/.test(name)
const isLoopbackName = (name: string) =>
  name === 'localhost' || name.endsWith('.localhost') || name === '::1' || (isIpv4(name) && name.startsWith('127.'))

const isConfigured = (name: string, allowed: readonly string[]) =>
  [...BUILT_IN_HOSTS, ...allowed].some((entry) =>
    entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry,
  )

/** Whether a `Host` header may reach a control plane; none at all (HTTP/1.0) is no browser's. */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (host === undefined || host === '') return true
  const name = hostNameOf(host)
  return isLoopbackName(name) || isIp(name) || isConfigured(name, allowed)
}

/** Whether a page of `origin` may change something on the server reached as `host`. */
export function originAllowed(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false // `null` (a sandboxed frame, a file) or garbage
  }
  if (host !== undefined && url.host === host.toLowerCase()) return true
  const name = hostNameOf(url.host)
  return isLoopbackName(name) || isConfigured(name, allowed)
}

export interface GuardedRequest {
  method: string
  host?: string | undefined
  origin?: string | undefined
}

export type Refusal = { code: 'HOST_NOT_ALLOWED' | 'ORIGIN_NOT_ALLOWED'; message: string }

/** Why a request is refused (answered 403), or undefined when it may go on. */
export function refusalOf(request: GuardedRequest, allowed: readonly string[]): Refusal | undefined {
  if (!hostAllowed(request.host, allowed)) {
    return {
      code: 'HOST_NOT_ALLOWED',
      message: `Host "${request.host}" is not this lab’s: use localhost or an IP address, or add the name to ALLOWED_HOSTS`,
    }
  }
  if (SAFE_METHODS.has(request.method.toUpperCase()) || request.origin === undefined) return undefined
  if (originAllowed(request.origin, request.host, allowed)) return undefined
  return {
    code: 'ORIGIN_NOT_ALLOWED',
    message: `A page of ${request.origin} may not change anything here: only the lab’s own pages (loopback or ALLOWED_HOSTS) may`,
  }
}
