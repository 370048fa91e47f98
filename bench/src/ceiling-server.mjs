// The ceilings a cached read is measured against, answering the same bytes as GET /menus (docs/performance.md):
//   node ceiling-server.mjs <port> bytes <file>             Fastify sending the bytes (the framework)
//   node ceiling-server.mjs <port> redis <file> <redis-url> Fastify sending one ioredis GET of them
import { readFile } from 'node:fs/promises'
import Fastify from 'fastify'
import { Redis } from 'ioredis'

const [port, mode, file, redisUrl] = process.argv.slice(2)
const bytes = await readFile(file)
const app = Fastify({ logger: false })
if (mode === 'redis') {
  const redis = new Redis(redisUrl, { enableAutoPipelining: true })
  const key = `ceiling:${process.pid}`
  await redis.set(key, bytes, 'EX', 3600)
  app.get('/', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(await redis.getBuffer(key)),
  )
  app.addHook('onClose', async () => {
    await redis.del(key)
    redis.disconnect()
  })
} else {
  app.get('/', async (_request, reply) => reply.type('application/json; charset=utf-8').send(bytes))
}
await app.listen({ host: '127.0.0.1', port: Number(port) })
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
