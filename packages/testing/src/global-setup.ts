import { fileURLToPath } from 'node:url'
import { startTestInfrastructure } from '@food/test-infrastructure'
import type {} from 'vitest'
import type { TestProject } from 'vitest/node'
import { prepareTemplateDatabase } from './databases.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
    redisUrl: string
    /** Migrated template database of each service, by service name. */
    templates: Record<string, string>
  }
}

/**
 * Vitest globalSetup for a service's tests: real PostgreSQL and Redis, and a migrated template
 * database per service they start (their own, and the services they call), which each test
 * file copies.
 */
export function serviceGlobalSetup(options: { project: string; migrations: Record<string, string> }) {
  return async (project: TestProject) => {
    const infrastructure = await startTestInfrastructure()
    const templates: Record<string, string> = {}
    for (const [service, migrationsDir] of Object.entries(options.migrations)) {
      templates[service] = `${options.project}_${service}_test_template`
      await prepareTemplateDatabase(infrastructure.postgresUrl, templates[service], migrationsDir)
    }
    console.log(`[${options.project}] PostgreSQL and Redis from ${infrastructure.source}`)
    project.provide('postgresUrl', infrastructure.postgresUrl)
    project.provide('redisUrl', infrastructure.redisUrl)
    project.provide('templates', templates)
    return () => infrastructure.stop()
  }
}

/** The globalSetup of a project whose tests start the whole fleet (the lab, the load scripts): every service's template. */
export function fleetGlobalSetup(project: string) {
  const migrationsOf = (service: string) =>
    fileURLToPath(new URL(`../../../services/${service}/prisma/migrations`, import.meta.url))
  return serviceGlobalSetup({
    project,
    migrations: { order: migrationsOf('order'), user: migrationsOf('user'), restaurant: migrationsOf('restaurant') },
  })
}
