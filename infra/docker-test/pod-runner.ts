import { chmod, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { containerEnvironment, type Manifest } from '../test/kustomize.ts'
import { mustRun, runCommand } from './compose.ts'

/**
 * Runs the pods of rendered Kubernetes manifests on a Docker engine, as a kubelet would where it
 * matters to the fleet: the pod's and container's securityContext (user, read-only root, dropped
 * capabilities, no privilege escalation), the memory limit, the environment (ConfigMaps, Secrets,
 * values), command and args with Kubernetes' meaning, emptyDir volumes (world-writable, as
 * Kubernetes makes them), volume claims (a Docker volume), and one network on which each pod is
 * reached by the names of the Services that select it. Not a cluster: no scheduling, no restarts.
 */
export class PodRunner {
  readonly #manifests: Manifest[]
  readonly #prefix: string
  readonly #network: string
  readonly #containers: string[] = []
  readonly #volumes: string[] = []

  constructor(manifests: Manifest[], prefix: string) {
    this.#manifests = manifests
    this.#prefix = prefix
    this.#network = `${prefix}-net`
  }

  async createNetwork(): Promise<void> {
    await mustRun('docker', ['network', 'create', this.#network])
  }

  /** The Docker container of a pod's container. */
  containerName(pod: string, container: string): string {
    return `${this.#prefix}-${pod}-${container}`
  }

  /**
   * `docker run` arguments for one container of a workload (Deployment, StatefulSet, Job);
   * `publish` maps container ports to host ports.
   */
  async runArguments(
    workload: Manifest,
    container: Manifest,
    options: { detach: boolean; publish?: Record<number, number> },
  ): Promise<string[]> {
    const pod = workload.spec.template
    const name = this.containerName(workload.metadata.name, container.name)
    const args = ['run', '--name', name, '--network', this.#network]
    if (options.detach) args.push('--detach')
    for (const alias of this.#serviceNames(pod.metadata?.labels ?? {})) args.push('--network-alias', alias)
    const security = { ...pod.spec.securityContext, ...container.securityContext }
    if (security.runAsUser !== undefined)
      args.push('--user', `${security.runAsUser}:${security.runAsGroup ?? security.runAsUser}`)
    if (security.readOnlyRootFilesystem) args.push('--read-only')
    for (const capability of security.capabilities?.drop ?? []) args.push('--cap-drop', capability)
    if (security.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges')
    const memory = container.resources?.limits?.memory
    if (memory) args.push('--memory', dockerQuantity(memory))
    for (const [key, value] of Object.entries(containerEnvironment(this.#manifests, container))) {
      args.push('--env', `${key}=${value}`)
    }
    for (const mount of container.volumeMounts ?? [])
      args.push('--volume', `${await this.#volume(workload, mount)}:${mount.mountPath}`)
    for (const [containerPort, hostPort] of Object.entries(options.publish ?? {})) {
      args.push('--publish', `127.0.0.1:${hostPort}:${containerPort}`)
    }
    // Kubernetes' command replaces the image's entry point and its CMD; args replace the CMD only.
    if (container.command) args.push('--entrypoint', container.command[0])
    args.push(container.image, ...(container.command?.slice(1) ?? []), ...(container.args ?? []))
    this.#containers.push(name)
    return args
  }

  /** Runs a container to its end (an init container, a Job); its exit code and output. */
  async runToEnd(workload: Manifest, container: Manifest) {
    return runCommand('docker', await this.runArguments(workload, container, { detach: false }))
  }

  async start(workload: Manifest, container: Manifest, publish?: Record<number, number>): Promise<string> {
    await mustRun('docker', await this.runArguments(workload, container, { detach: true, publish }))
    return this.containerName(workload.metadata.name, container.name)
  }

  /** Whether an exec probe passes now. */
  async execProbe(container: string, command: string[]): Promise<boolean> {
    return (await runCommand('docker', ['exec', container, ...command])).code === 0
  }

  async logs(container: string): Promise<string> {
    return (await runCommand('docker', ['logs', '--tail', '30', container])).output
  }

  async removeAll(): Promise<void> {
    for (const name of this.#containers) await runCommand('docker', ['rm', '-f', '-v', name])
    for (const volume of this.#volumes) await runCommand('docker', ['volume', 'rm', '-f', volume])
    await runCommand('docker', ['network', 'rm', this.#network])
  }

  /** The names of the Services whose selector the pod's labels satisfy: its DNS names. */
  #serviceNames(labels: Record<string, string>): string[] {
    return this.#manifests
      .filter((manifest) => manifest.kind === 'Service')
      .filter((service) => Object.entries(service.spec.selector ?? {}).every(([key, value]) => labels[key] === value))
      .map((service) => service.metadata.name)
  }

  async #volume(workload: Manifest, mount: Manifest): Promise<string> {
    const volume = (workload.spec.template.spec.volumes ?? []).find(
      (candidate: Manifest) => candidate.name === mount.name,
    )
    if (volume?.emptyDir) {
      const dir = await mkdtemp(join(tmpdir(), `${this.#prefix}-${mount.name}-`))
      await chmod(dir, 0o777) // an emptyDir is writable by whatever user the pod runs as
      return dir
    }
    const claim = (workload.spec.volumeClaimTemplates ?? []).find(
      (candidate: Manifest) => candidate.metadata.name === mount.name,
    )
    if (claim) {
      // A fresh Docker volume, as a fresh claim: the image's entry point prepares its folder.
      const name = `${this.#prefix}-${workload.metadata.name}-${mount.name}`
      this.#volumes.push(name)
      return name
    }
    throw new Error(`${workload.metadata.name}: volume ${mount.name} is neither an emptyDir nor a claim`)
  }
}

/** A Kubernetes memory quantity (256Mi, 1Gi) as Docker writes it. */
export function dockerQuantity(quantity: string): string {
  const match = /^(\d+)(Ki|Mi|Gi)$/.exec(quantity)
  if (!match) throw new Error(`memory quantity ${quantity} not understood`)
  return `${match[1]}${{ Ki: 'k', Mi: 'm', Gi: 'g' }[match[2] as 'Ki' | 'Mi' | 'Gi']}`
}
