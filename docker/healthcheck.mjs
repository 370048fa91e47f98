// HEALTHCHECK of the service images (node:20-slim has neither curl nor wget).
const port = process.env.PORT ?? '8000'
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
)
