/**
 * The container engine as an experiment's process actions see it: the Docker Engine API, one client
 * for a real engine and npm start's supervisor alike (docs/chaos.md#process-faults-kill-pause-restart).
 */
import { Agent, request } from 'undici'

export interface Container {
  Id: string
  /** Docker's: created, running, paused, restarting, exited, dead. */
  State: string
}

/**
 * Spoken by a real engine (`unix:///var/run/docker.sock`, the compose stack) and by npm start's
 * supervisor (`http://127.0.0.1:8475`) alike. A service's container is found by its compose labels
 * (the service's, and the project's when one is named), so one experiment file works against both.
 */
export class Engine {
  readonly #origin: string
  readonly #dispatcher: Agent | undefined

  /** `project`: only the containers of this compose project (COMPOSE_PROJECT_NAME); any when empty. */
  constructor(
    readonly url: string,
    readonly project = '',
  ) {
    if (url.startsWith('unix://')) {
      this.#origin = 'http://localhost'
      this.#dispatcher = new Agent({ connect: { socketPath: url.slice('unix://'.length) } })
    } else {
      this.#origin = url.replace(/\/$/, '')
      this.#dispatcher = undefined
    }
  }

  /** A call; Docker's `message` on a refusal, with the status. */
  async call(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: unknown }> {
    const answer = await request(`${this.#origin}${path}`, {
      method,
      ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    })
    const text = await answer.body.text()
    const json = String(answer.headers['content-type'] ?? '').includes('json')
    return { status: answer.statusCode, body: json && text ? JSON.parse(text) : text }
  }

  /** Whether an engine answers at all. */
  async answers(): Promise<boolean> {
    try {
      return (await this.call('GET', '/_ping')).status === 200
    } catch {
      return false
    }
  }

  /**
   * The containers of a compose service, by its labels, stopped ones too (a killed container of a
   * real engine stays exited); the ones not stopped first.
   */
  async containersOf(service: string): Promise<Container[]> {
    const label = [`com.docker.compose.service=${service}`]
    if (this.project) label.push(`com.docker.compose.project=${this.project}`)
    const filters = encodeURIComponent(JSON.stringify({ label }))
    const { status, body } = await this.call('GET', `/containers/json?all=true&filters=${filters}`)
    if (status !== 200) throw new Error(`GET /containers/json answered ${status}: ${JSON.stringify(body)}`)
    const stopped = (container: Container) => ['exited', 'dead', 'created'].includes(container.State)
    return (body as Container[]).toSorted((a, b) => Number(stopped(a)) - Number(stopped(b)))
  }

  /** The state of the service's first container; undefined when it has none. */
  async stateOf(service: string): Promise<string | undefined> {
    return (await this.containersOf(service))[0]?.State
  }

  /** The pid of the service's first container's process; 0 when it has none (or no container). */
  async pidOf(service: string): Promise<number> {
    const [container] = await this.containersOf(service)
    if (!container) return 0
    const { body } = await this.call('GET', `/containers/${encodeURIComponent(container.Id)}/json`)
    return (body as { State?: { Pid?: number } } | undefined)?.State?.Pid ?? 0
  }

  /**
   * A verb (kill, pause, unpause, restart, start) on the service's first container; its id. A
   * start of a container already running (Docker's 304) is done as well.
   */
  async act(service: string, verb: string, query: Record<string, string | number> = {}): Promise<string> {
    const [container] = await this.containersOf(service)
    if (!container) throw new Error(`the engine at ${this.url} has no container of the ${service} service`)
    const search = new URLSearchParams(
      Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
    )
    const path = `/containers/${encodeURIComponent(container.Id)}/${verb}${search.size > 0 ? `?${search}` : ''}`
    const { status, body } = await this.call('POST', path)
    if (status !== 204 && !(verb === 'start' && status === 304)) {
      const message = (body as { message?: string } | undefined)?.message ?? JSON.stringify(body)
      throw new Error(`POST ${path} answered ${status}: ${message}`)
    }
    return container.Id
  }

  async close(): Promise<void> {
    await this.#dispatcher?.close()
  }
}

/** The engine an experiment's configuration names (engine_url, compose_project). */
export const engineOf = (configuration: Record<string, unknown>) =>
  new Engine(String(configuration.engine_url), String(configuration.compose_project ?? ''))
