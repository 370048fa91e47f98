/**
 * An experiment's process faults, Pumba's verbs (`kill`, `pause`, `restart`) on the fleet's services
 * through the container engine (engine.ts). See docs/chaos.md#process-faults-kill-pause-restart.
 */
import type { FleetClient, Service } from '../fleet/fleet-client.ts'
import type { Engine } from './engine.ts'
import { type FaultLedger, parametersOf } from './fault-ledger.ts'
import type { ActionDefinition } from './format.ts'

type ProcessAction = Extract<ActionDefinition['provider'], { action: 'kill' | 'pause' | 'restart' }>

const POLL_MS = 200
/** How long a killed or restarted service may take to be ready again before the action fails. */
const BACK_WITHIN_MS = 120_000

export class ProcessFaults {
  readonly #unpauses = new Map<Service, { now: () => Promise<void> }>()
  /** An unpause that failed on its timer, reported by the next resumeAll. */
  #failure: Error | undefined

  constructor(
    private readonly engine: Engine,
    private readonly client: FleetClient,
    private readonly ledger: FaultLedger,
    private readonly seconds: () => number,
    private readonly scale: number,
  ) {}

  /**
   * Runs the action; resolves when the fault is in force (a kill: once the service is back). `kill`
   * sends SIGKILL by default: npm start's supervisor starts the service again, and on a real engine,
   * which does not apply a restart policy after `docker kill`, the runner starts the exited container
   * as the policy would after a crash. `pause` is SIGSTOP for duration_s, then SIGCONT. Each is a
   * window in the fault ledger: a kill or restart until the service's new process answers its
   * readiness probe, a pause until it is unpaused.
   */
  async execute(provider: ProcessAction): Promise<unknown> {
    const from = this.seconds()
    if (provider.action === 'pause') {
      const durationS = provider.duration_s * this.scale
      // ttl_s: the supervisor resumes by itself should this runner die; an engine ignores it.
      const id = await this.ledger.whileChanging(provider.service, 'pause', () =>
        this.engine.act(provider.service, 'pause', { ttl_s: Math.ceil(durationS) }),
      )
      this.ledger.open(
        {
          service: provider.service,
          fault: 'pause',
          value: provider.duration_s,
          parameters: parametersOf({ ...provider, duration_s: durationS }),
          from_s: from,
        },
        from + durationS,
      )
      this.#scheduleUnpause(provider.service, durationS)
      return { container: id, paused_s: durationS }
    }
    const pidBefore = await this.engine.pidOf(provider.service)
    const id =
      provider.action === 'kill'
        ? await this.engine.act(provider.service, 'kill', { signal: provider.signal ?? 'SIGKILL' })
        : await this.engine.act(provider.service, 'restart', { t: provider.timeout_s ?? 10 })
    const value = provider.action === 'kill' ? (provider.signal ?? 'SIGKILL') : true
    this.ledger.open(
      { service: provider.service, fault: provider.action, value, parameters: parametersOf(provider), from_s: from },
      null,
    )
    const back = await this.#waitUntilBack(provider.service, pidBefore)
    this.ledger.close(this.seconds(), provider.service, 'back', provider.action)
    return { container: id, back_after_s: Math.round(back.afterS * 10) / 10, started_by: back.startedBy }
  }

  /** Resumes every service this run paused (clear-faults, the end of the run); which ones. */
  async resumeAll(): Promise<Service[]> {
    const paused = [...this.#unpauses.entries()]
    await Promise.all(paused.map(([, unpause]) => unpause.now()))
    const failure = this.#failure
    this.#failure = undefined
    if (failure) throw failure
    return paused.map(([service]) => service)
  }

  #scheduleUnpause(service: Service, afterS: number) {
    let done: Promise<void> | undefined
    const unpause = () => {
      done ??= (async () => {
        clearTimeout(timer)
        this.#unpauses.delete(service)
        const changed = this.ledger.changing(service, 'pause')
        try {
          await this.engine.act(service, 'unpause')
        } catch (error) {
          // Already resumed by its TTL (the supervisor's) is not a failure.
          if (!/is not paused/.test((error as Error).message)) this.#failure = error as Error
        }
        this.ledger.close(this.seconds(), service, 'switched off', 'pause')
        changed()
      })()
      return done
    }
    const timer = setTimeout(() => void unpause(), afterS * 1000)
    this.#unpauses.set(service, { now: unpause })
  }

  /**
   * Seconds until a new process of the service runs and answers its readiness probe, and who
   * started it: the engine (npm start's supervisor, a restart) or the runner (a container a real
   * engine left exited after a kill: Docker counts `docker kill` as stopping it by hand).
   */
  async #waitUntilBack(
    service: Service,
    pidBefore: number,
  ): Promise<{ afterS: number; startedBy: 'engine' | 'runner' }> {
    const started = Date.now()
    let startedBy: 'engine' | 'runner' = 'engine'
    while (Date.now() - started < BACK_WITHIN_MS) {
      if (startedBy === 'engine' && (await this.engine.stateOf(service).catch(() => undefined)) === 'exited') {
        await this.engine.act(service, 'start')
        startedBy = 'runner'
      }
      const pid = await this.engine.pidOf(service).catch(() => 0)
      if (pid !== 0 && pid !== pidBefore) {
        const ready = await this.client.call(service, 'GET', '/health/ready', { record: false }).catch(() => undefined)
        if (ready?.status === 200) return { afterS: (Date.now() - started) / 1000, startedBy }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    throw new Error(`the ${service} service was not ready again within ${BACK_WITHIN_MS / 1000} s`)
  }
}
