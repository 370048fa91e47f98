// The compose stack's secrets, made once in the volume mounted at /run/fleet-secrets: random
// values nobody committed, kept while the volume lives (`down -v` makes new ones, and tokens
// issued before stop working). The services read them through JWT_SECRET_FILE and the like;
// people who need one (the chaos token) read it with `docker compose exec user cat …`.
import { randomBytes } from 'node:crypto'
import { chownSync, existsSync, writeFileSync } from 'node:fs'

const DIR = process.argv[2] ?? '/run/fleet-secrets'
// The services run as `node` (uid and gid 1000 in the node images); only root may give it away.
const NODE_USER = 1000
const mayChown = process.getuid?.() === 0
const NAMES = ['jwt-secret', 'chaos-token', 'service-token']

for (const name of NAMES) {
  const file = `${DIR}/${name}`
  if (existsSync(file)) continue
  writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o400 })
  if (mayChown) chownSync(file, NODE_USER, NODE_USER)
  console.log(`made ${file}`)
}
