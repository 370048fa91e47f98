import type {} from 'vitest'
import type { TestProject } from 'vitest/node'
import { prepareTemplateDatabase } from './databases.ts'
import { startTestInfrastructure } from './infrastructure.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
    redisUrl: string
    templateDatabase: string
  }
}

/**
 * Vitest globalSetup for a service: real PostgreSQL and Redis, and a migrated template database
 * that each test file copies.
 */
export function serviceGlobalSetup(options: { service: string; migrationsDir: string }) {
  return async (project: TestProject) => {
    const infrastructure = await startTestInfrastructure()
    const templateDatabase = `${options.service}_test_template`
    await prepareTemplateDatabase(infrastructure.postgresUrl, templateDatabase, options.migrationsDir)
    console.log(`[${options.service}] PostgreSQL and Redis from ${infrastructure.source}`)
    project.provide('postgresUrl', infrastructure.postgresUrl)
    project.provide('redisUrl', infrastructure.redisUrl)
    project.provide('templateDatabase', templateDatabase)
    return () => infrastructure.stop()
  }
}
