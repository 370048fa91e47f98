// The network side of a VU's synchronous http calls (modules/http.ts): it makes the request and
// wakes the VU, which sleeps on `signal` meanwhile, as a k6 VU waits on its request.
// See docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci.
import { workerData } from 'node:worker_threads'

const { port, signal } = workerData
const flag = new Int32Array(signal)

port.on('message', async (request) => {
  const started = performance.now()
  let reply
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    })
    const body = await response.text()
    reply = { status: response.status, headers: [...response.headers], body, durationMs: performance.now() - started }
  } catch (error) {
    // k6 answers a failed request with status 0 and an error code (1050: timeout, 1000: other).
    const timeout = error?.name === 'TimeoutError'
    reply = {
      status: 0,
      headers: [],
      body: '',
      durationMs: performance.now() - started,
      error: String(error?.cause?.message ?? error?.message ?? error),
      errorCode: timeout ? 1050 : 1000,
    }
  }
  port.postMessage(reply)
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
})
