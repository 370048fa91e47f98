import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, startChild } from '@food/testing'

const NGINX_DIR = fileURLToPath(new URL('..', import.meta.url))

/** Fills `${NAME}` from `values`, as the nginx image's envsubst does; a name left unset is an error. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`the gateway template needs ${name}`)
    return value
  })
}

export interface Gateway {
  url: string
  /** Parsed lines of the JSON access log so far. */
  accessLog(): Promise<Record<string, string | number>[]>
  stop(): Promise<void>
}

const servers = (ports: number[]) =>
  ports.map((port) => `server 127.0.0.1:${port} max_fails=3 fail_timeout=10s;`).join(' ')

export interface Upstreams {
  user: number[]
  restaurant: number[]
  order: number[]
}

/**
 * The project's nginx.conf and gateway template, rendered into a directory of their own.
 * `webRoot` holds the web front end's build; without one, `/` serves an empty directory.
 */
export async function renderGateway(upstreams: Upstreams, webRoot?: string) {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-'))
  await mkdir(join(dir, 'conf.d'))
  await mkdir(join(dir, 'html'))
  const port = await freePort()
  // Temporary files and the pid into our directory first, then the include of our conf.d.
  const main = (await readFile(join(NGINX_DIR, 'nginx.conf'), 'utf8'))
    .replaceAll('/tmp/', `${dir}/`)
    .replaceAll('/etc/nginx/conf.d/', `${dir}/conf.d/`)
  await writeFile(join(dir, 'nginx.conf'), main)
  const template = await readFile(join(NGINX_DIR, 'templates/default.conf.template'), 'utf8')
  await writeFile(
    join(dir, 'conf.d/gateway.conf'),
    renderTemplate(template, {
      GATEWAY_PORT: `127.0.0.1:${port}`,
      GATEWAY_ACCESS_LOG: join(dir, 'access.log'),
      WEB_ROOT: webRoot ?? join(dir, 'html'),
      USER_SERVERS: servers(upstreams.user),
      RESTAURANT_SERVERS: servers(upstreams.restaurant),
      ORDER_SERVERS: servers(upstreams.order),
    }),
  )
  return { dir, port }
}

/** `nginx -t` on a rendered configuration: status and output. */
export function checkConfig(dir: string) {
  const run = spawnSync('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' })
  if (run.error) throw new Error(`nginx is missing: install Debian's nginx package (${run.error.message})`)
  return { status: run.status, output: run.stderr }
}

export async function startGateway(upstreams: Upstreams, webRoot?: string): Promise<Gateway> {
  const { dir, port } = await renderGateway(upstreams, webRoot)
  const url = `http://127.0.0.1:${port}`
  // SIGQUIT: nginx's graceful stop.
  const { stop } = await startChild('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    readyUrl: `${url}/health`,
    stopSignal: 'SIGQUIT',
  })
  return {
    url,
    accessLog: async () =>
      (await readFile(join(dir, 'access.log'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    stop,
  }
}
