/**
 * `npm run bench:fault-proxy` (FAULT_PROXY_BENCH_REQUESTS=5000 by default): what the fault proxy
 * costs an edge with no toxic, straight against through a proxy (docs/chaos.md#network-faults-the-fault-proxy).
 */
import { createServer } from 'node:http'
import { FaultProxy } from '@food/fault-proxy'
import { nearestRankPercentile } from '@food/lab/recorder'
import autocannon from 'autocannon'
import { Agent, request } from 'undici'

const REQUESTS = Number(process.env.FAULT_PROXY_BENCH_REQUESTS ?? 5000)
const body = JSON.stringify({ id: 1, name: '김치찌개', price: 9000, stock: 100 })
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  response.end(body)
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const upstream = `127.0.0.1:${(server.address() as { port: number }).port}`
const proxy = new FaultProxy({ name: 'bench', listen: '127.0.0.1:0', upstream })
await proxy.enable()

/**
 * Sequential requests on one kept-alive connection: the latency of each (what a call between services
 * pays), in microseconds.
 */
async function sequential(address: string) {
  const agent = new Agent({ connections: 1 })
  const times: number[] = []
  for (let i = 0; i < REQUESTS + 200; i++) {
    const started = process.hrtime.bigint()
    const answer = await request(`http://${address}/menus/1`, { dispatcher: agent })
    await answer.body.text()
    if (i >= 200) times.push(Number(process.hrtime.bigint() - started) / 1000)
  }
  await agent.close()
  times.sort((a, b) => a - b)
  return { p50: nearestRankPercentile(times, 50), p99: nearestRankPercentile(times, 99) }
}

/** 3 s at 20 connections: the throughput. */
async function throughput(address: string) {
  const result = await autocannon({ url: `http://${address}/menus/1`, connections: 20, duration: 3 })
  return { rate: result.requests.average, loadedP99Ms: result.latency.p99 }
}

// The same HTTP requests to one small server, in one process on this machine, straight and through
// the proxy: each arm's figures, and its ratio to the straight one.
const arms = [
  { name: 'straight', address: upstream },
  { name: 'through the proxy', address: proxy.view().listen },
]
const figures = []
for (const arm of arms) figures.push({ ...arm, ...(await sequential(arm.address)), ...(await throughput(arm.address)) })
const [straight] = figures
console.log(`fault proxy, no toxic: ${REQUESTS} sequential requests on one connection, then 3 s at 20 connections`)
for (const arm of figures) {
  console.log(
    `  ${arm.name.padEnd(18)} p50 ${arm.p50.toFixed(0).padStart(5)} µs  p99 ${arm.p99.toFixed(0).padStart(5)} µs  ` +
      `(+${(arm.p50 - (straight?.p50 ?? 0)).toFixed(0)} µs)  ${arm.rate.toFixed(0).padStart(6)} req/s (${(arm.rate / (straight?.rate ?? 1)).toFixed(2)}×)  p99 at 20 connections ${arm.loadedP99Ms} ms`,
  )
}
await proxy.disable()
server.close()
