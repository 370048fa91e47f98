// The launcher's supervisor (Node built-ins only): it keeps `npm start`'s children running as a
// container engine keeps a `restart: unless-stopped` container, and lets a chaos engineer kill,
// pause, unpause and restart them through a subset of the Docker Engine API, so the experiment
// runner (and `docker`'s own verbs) treat `npm start` and the compose stack alike.
import { constants } from 'node:os'

/** The restart back-off, as Docker's: 100 ms, doubled after each restart, reset after 10 s up. */
const FIRST_DELAY_MS = 100
const MAX_DELAY_MS = 10_000
const RESET_AFTER_MS = 10_000
const SIGNALS = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'])
/** A signal as Docker takes it: `SIGKILL`, `KILL`, `9`, or nothing for SIGKILL. */
const signalNamed = (text) => {
  const numbered = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 9: 'SIGKILL', 10: 'SIGUSR1', 12: 'SIGUSR2', 15: 'SIGTERM' }
  if (text === '') return 'SIGKILL'
  if (/^\d+$/.test(text)) return numbered[text] ?? text
  return text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`
}
/** The longest a pause lasts: a paused service that nobody resumes must come back by itself. */
const MAX_PAUSE_S = 600
/** The longest a restart or start waits for the program's readiness before it answers anyway. */
const READY_DEADLINE_MS = 60_000

export class SupervisorError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

/**
 * @typedef {'created' | 'running' | 'paused' | 'restarting' | 'exited'} State
 * @typedef {{ name: string, start: () => import('node:child_process').ChildProcess, ready?: (signal: AbortSignal) => Promise<unknown> }} Program
 *   `ready`, when given, resolves once a started program serves (e.g. its /health/ready answers):
 *   a restart or start answers then, not merely once the process runs.
 */
export class Supervisor {
  /** @param {{ log?: (line: string) => void }} [options] */
  constructor(options = {}) {
    this.log = options.log ?? (() => {})
    /** @type {Map<string, { program: Program, child?: import('node:child_process').ChildProcess, state: State, restarts: number, delayMs: number, startedAt?: Date, unpauseTimer?: NodeJS.Timeout, restartTimer?: NodeJS.Timeout, exitCode: number | null }>} */
    this.processes = new Map()
    this.stopping = false
  }

  /** Starts a program and keeps it running. @param {Program} program */
  add(program) {
    const entry = {
      program,
      state: /** @type {State} */ ('created'),
      restarts: 0,
      delayMs: FIRST_DELAY_MS,
      exitCode: null,
    }
    this.processes.set(program.name, entry)
    this.#spawn(entry)
    return entry.child
  }

  #spawn(entry) {
    const child = entry.program.start()
    entry.child = child
    entry.state = 'running'
    entry.startedAt = new Date()
    child.once('exit', (code, signal) => this.#exited(entry, child, code, signal))
  }

  #exited(entry, child, code, signal) {
    if (entry.child !== child) return
    clearTimeout(entry.unpauseTimer)
    // A signal's exit status as a shell (and Docker) reports it: 137 for SIGKILL.
    entry.exitCode = code ?? 128 + (constants.signals[signal] ?? 0)
    if (this.stopping || entry.state === 'exited') {
      entry.state = 'exited'
      return
    }
    const upMs = Date.now() - (entry.startedAt?.getTime() ?? 0)
    if (upMs > RESET_AFTER_MS) entry.delayMs = FIRST_DELAY_MS
    const delayMs = entry.delayMs
    entry.delayMs = Math.min(entry.delayMs * 2, MAX_DELAY_MS)
    entry.state = 'restarting'
    this.log(`${entry.program.name} exited (${signal ?? `code ${code}`}); restarting it in ${delayMs} ms`)
    entry.restartTimer = setTimeout(() => {
      if (this.stopping) return
      entry.restarts++
      this.#spawn(entry)
    }, delayMs)
  }

  /**
   * Resolves once `child` runs (its process was created) and, when the program says how, serves;
   * sooner if it exits, or after READY_DEADLINE_MS. Docker's restart and start answer once started.
   */
  async #running(entry, child) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    const spawned = new Promise((resolve) => {
      child.once('spawn', resolve)
      child.once('error', resolve)
    })
    if (child.pid === undefined) await Promise.race([spawned, exited])
    if (!entry.program.ready) return
    const signal = AbortSignal.timeout(READY_DEADLINE_MS)
    const done = new AbortController()
    try {
      await Promise.race([entry.program.ready(AbortSignal.any([signal, done.signal])), exited])
    } catch (error) {
      this.log(`${entry.program.name}: not ready after its start (${error.message}); answering anyway`)
    } finally {
      done.abort()
    }
  }

  #entry(name) {
    const entry = this.processes.get(name)
    if (!entry) throw new SupervisorError(404, `No such container: ${name}`)
    return entry
  }

  /** What each program is doing, as `docker ps` lists it. */
  list() {
    return [...this.processes.entries()].map(([name, entry]) => ({
      name,
      state: entry.state,
      pid: entry.state === 'running' || entry.state === 'paused' ? entry.child?.pid : undefined,
      restarts: entry.restarts,
      startedAt: entry.startedAt,
      exitCode: entry.exitCode,
    }))
  }

  inspect(name) {
    this.#entry(name)
    return this.list().find((process) => process.name === name)
  }

  /** Sends a signal (SIGKILL by default); the program is restarted when it exits. */
  kill(name, requested = 'SIGKILL') {
    const entry = this.#entry(name)
    const signal = signalNamed(requested)
    if (!SIGNALS.has(signal)) throw new SupervisorError(400, `Invalid signal: ${signal}`)
    if (entry.state !== 'running' && entry.state !== 'paused') {
      throw new SupervisorError(409, `Container ${name} is not running`)
    }
    this.log(`${name}: ${signal}`)
    entry.child?.kill(signal)
  }

  /** SIGSTOP; SIGCONT after ttlS seconds, or on unpause. */
  pause(name, ttlS = MAX_PAUSE_S) {
    const entry = this.#entry(name)
    if (!Number.isFinite(ttlS) || ttlS <= 0 || ttlS > MAX_PAUSE_S) {
      throw new SupervisorError(400, `ttl_s must be a number of seconds in (0, ${MAX_PAUSE_S}]`)
    }
    if (entry.state === 'paused') throw new SupervisorError(409, `Container ${name} is already paused`)
    if (entry.state !== 'running') throw new SupervisorError(409, `Container ${name} is not running`)
    entry.child?.kill('SIGSTOP')
    entry.state = 'paused'
    entry.unpauseTimer = setTimeout(() => this.#resume(entry, `its ${ttlS} s ended`), ttlS * 1000)
    this.log(`${name}: paused (SIGSTOP) for at most ${ttlS} s`)
  }

  unpause(name) {
    const entry = this.#entry(name)
    if (entry.state !== 'paused') throw new SupervisorError(409, `Container ${name} is not paused`)
    this.#resume(entry, 'unpaused')
  }

  #resume(entry, why) {
    clearTimeout(entry.unpauseTimer)
    if (entry.state !== 'paused') return
    entry.child?.kill('SIGCONT')
    entry.state = 'running'
    this.log(`${entry.program.name}: resumed (SIGCONT), ${why}`)
  }

  /**
   * Starts a program that is not running now (in its restart back-off, or stopped); false when it
   * is running already (Docker's 304 for `docker start`). Resolves once it runs (see #running).
   */
  async start(name) {
    const entry = this.#entry(name)
    if (entry.state === 'running' || entry.state === 'paused') return false
    clearTimeout(entry.restartTimer)
    this.log(`${name}: started`)
    entry.restarts++
    this.#spawn(entry)
    await this.#running(entry, entry.child)
    return true
  }

  /**
   * SIGTERM, SIGKILL after timeoutS, then started again at once (as `docker restart -t`); resolves
   * once the new process runs, and serves when the program says how to tell (see #running).
   */
  async restart(name, timeoutS = 10) {
    const entry = this.#entry(name)
    if (!Number.isFinite(timeoutS) || timeoutS < 0 || timeoutS > 300) {
      throw new SupervisorError(400, 't must be a number of seconds in [0, 300]')
    }
    clearTimeout(entry.restartTimer)
    const child = entry.child
    this.log(`${name}: restarting`)
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      entry.state = 'exited' // not the supervisor's restart: this one starts it at once
      if (entry.unpauseTimer) child.kill('SIGCONT')
      clearTimeout(entry.unpauseTimer)
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000)
      await exited
      clearTimeout(timer)
    }
    if (this.stopping) return
    entry.restarts++
    this.#spawn(entry)
    await this.#running(entry, entry.child)
  }

  /** SIGTERM to every program (SIGCONT first to a paused one); resolves once all have exited. */
  async stopAll() {
    this.stopping = true
    const waits = []
    for (const entry of this.processes.values()) {
      clearTimeout(entry.restartTimer)
      clearTimeout(entry.unpauseTimer)
      const child = entry.child
      if (!child || child.exitCode !== null || child.signalCode !== null) continue
      waits.push(new Promise((resolve) => child.once('exit', resolve)))
      if (entry.state === 'paused') child.kill('SIGCONT')
      child.kill('SIGTERM')
    }
    await Promise.all(waits)
  }
}
