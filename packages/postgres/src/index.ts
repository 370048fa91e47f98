export { dropDatabase, ensureDatabase, splitDatabaseUrl, withDatabase } from './databases.ts'
export { type Migration, type MigrationResult, migrate, readMigrations } from './migrations.ts'
export { type PostgresPluginOptions, postgresPlugin } from './postgres-plugin.ts'
