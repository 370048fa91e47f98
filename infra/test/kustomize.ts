import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { INFRA } from './config-files.ts'

export const KUBERNETES = join(INFRA, '..', 'deploy/kubernetes')

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are read as the JSON they are
export type Manifest = any

/** A kustomization rendered by `kubectl kustomize`, as the objects `kubectl apply -k` would send. */
export function kustomize(dir: string): Manifest[] {
  const rendered = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })
  if (rendered.error) throw new Error(`kubectl (with kustomize) is needed to render ${dir}: ${rendered.error.message}`)
  if (rendered.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${rendered.stderr}`)
  return parseAllDocuments(rendered.stdout).map((document) => document.toJSON())
}

/** A generated ConfigMap's or Secret's name without the hash Kustomize adds (fleet-redis-df24g76h24). */
export const generatedName = (name: string) => name.replace(/-[a-z0-9]{10}$/, '')

export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name)
  if (!found) throw new Error(`no ${kind} ${name}`)
  return found
}

export const decodeSecret = (secret: Manifest, key: string): string =>
  secret.stringData?.[key] ?? Buffer.from(String(secret.data?.[key] ?? ''), 'base64').toString()

/**
 * The environment a container gets: its ConfigMaps, its values, and its Secrets' values, from the
 * rendered Secrets or, for one the manifests only reference, from `missingSecret`.
 */
export function containerEnvironment(
  manifests: Manifest[],
  container: Manifest,
  missingSecret: (ref: { name: string; key: string }) => string = (ref) => {
    throw new Error(`no Secret ${ref.name} with ${ref.key}`)
  },
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const source of container.envFrom ?? []) {
    Object.assign(env, find(manifests, 'ConfigMap', source.configMapRef.name).data)
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef
    if (!ref) {
      env[variable.name] = variable.value
      continue
    }
    const secret = manifests.find((manifest) => manifest.kind === 'Secret' && manifest.metadata.name === ref.name)
    if (secret?.data?.[ref.key] !== undefined) env[variable.name] = decodeSecret(secret, ref.key)
    else if (!ref.optional) env[variable.name] = missingSecret(ref)
  }
  return env
}
