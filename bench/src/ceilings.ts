/**
 * What the fleet is measured against in npm run bench (docs/performance.md): the same work without
 * it (a raw pg loop, Fastify answering the bytes or one Redis GET of them).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { nearestRankPercentile } from '@food/lab/recorder'
import { moveWithLedgerRow, pessimistic, readMenuStockAndReservation } from '@food/restaurant-service/parts'
import { answersSoon, freePort } from '@food/testing'
import pg from 'pg'
import { benchDatabase, CONNECTIONS, DURATION_S, type Figures, REDIS_URL } from './harness.ts'

/**
 * The restaurant's pessimistic reserve, its own statements (the read with the reservation, the
 * move with its ledger row) in one raw transaction per iteration, N clients at once.
 */
export async function rawReserveLoop(menuId: number): Promise<Figures> {
  const pool = new pg.Pool({ connectionString: benchDatabase('restaurant'), max: CONNECTIONS })
  const latencies: number[] = []
  let sequence = 0
  let errors = 0
  const deadline = performance.now() + DURATION_S * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const client = await pool.connect()
      try {
        while (performance.now() < deadline) {
          const t0 = performance.now()
          try {
            await client.query('BEGIN')
            const orderId = `raw-${sequence++}`
            const read = await readMenuStockAndReservation(client, menuId, orderId, pessimistic.locksOnRead)
            if (!read) throw new Error(`menu ${menuId} is gone`)
            await moveWithLedgerRow(client, pessimistic.move(menuId, -1, read.menu), {
              kind: 'reserve',
              orderId,
              menuId,
              quantity: 1,
            })
            await client.query('COMMIT')
          } catch {
            errors++
            await client.query('ROLLBACK')
          }
          latencies.push(performance.now() - t0)
        }
      } finally {
        client.release()
      }
    }),
  )
  await pool.end()
  const sorted = latencies.sort((a, b) => a - b)
  return {
    name: 'same transaction, raw pg loop',
    rate: latencies.length / ((performance.now() - started) / 1000),
    p50: nearestRankPercentile(sorted, 50),
    p99: nearestRankPercentile(sorted, 99),
    errors,
  }
}

const ceilings: ReturnType<typeof spawn>[] = []

/** A ceiling server (ceiling-server.mjs) answering `bytes` as `mode` says; its URL. */
export async function startCeiling(mode: 'bytes' | 'redis', bytes: Buffer): Promise<string> {
  const file = join(tmpdir(), `bench-menus-${process.pid}.json`)
  await writeFile(file, bytes)
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('ceiling-server.mjs', import.meta.url)), String(port), mode, file, REDIS_URL],
    { stdio: 'inherit' },
  )
  ceilings.push(child)
  const url = `http://127.0.0.1:${port}/`
  if (!(await answersSoon(url, child))) throw new Error(`the ${mode} ceiling did not start`)
  return url
}

/** Every ceiling server stopped. */
export async function stopCeilings(): Promise<void> {
  for (const child of ceilings) {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
}
