/**
 * The paths no fault touches: faults must never hide the instruments used to observe them, nor
 * the switch that clears them. A path is exempt when it is one of these or lies under one
 * (`/chaos`, `/chaos/delay`, `/health/ready`, `/metrics?x`), not when it merely begins with one
 * (`/chaosX`, `/metricsfoo`).
 */
export const FAULT_EXEMPT_PATHS = ['/health', '/metrics', '/chaos', '/docs', '/redoc', '/openapi.json'] as const

export const isFaultExempt = (url: string): boolean =>
  FAULT_EXEMPT_PATHS.some(
    (path) => url === path || url.startsWith(`${path}/`) || url.startsWith(`${path}?`) || url.startsWith(`${path}#`),
  )
