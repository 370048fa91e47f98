import type { ExperimentRun } from './experiment-run.ts'

/** The one experiment in progress that this service was told of, until its TTL runs out. */
export class ExperimentRunBoard {
  #run: (ExperimentRun & { updated_at: string; expires_at: string }) | null = null
  #timer: NodeJS.Timeout | undefined

  show(run: ExperimentRun, ttlSeconds: number): void {
    const now = Date.now()
    this.#run = {
      ...run,
      updated_at: new Date(now).toISOString(),
      expires_at: new Date(now + ttlSeconds * 1000).toISOString(),
    }
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.clear(), ttlSeconds * 1000)
    this.#timer.unref()
  }

  clear(): boolean {
    clearTimeout(this.#timer)
    const had = this.#run !== null
    this.#run = null
    return had
  }

  get current() {
    return this.#run
  }
}
