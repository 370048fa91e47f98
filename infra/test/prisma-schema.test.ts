/**
 * Each service's schema.prisma says what its migrations build: Prisma's own reading of the schema
 * (its DMMF, from the schema engine's WebAssembly build, no engine download) against the catalogue
 * of a database the migrations made, table by table and column by column: names, types, lengths,
 * nullability. A migration that the schema does not follow, or the other way round, fails here.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FLEET_SERVICES } from '@food/config'
import { createDatabaseFromTemplate } from '@food/testing'
import { get_dmmf } from '@prisma/prisma-schema-wasm'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'
import { INFRA } from './config-files.ts'

const SERVICES = FLEET_SERVICES

interface DmmfField {
  name: string
  dbName?: string | null
  kind: string
  type: string
  isRequired: boolean
  nativeType?: [string, string[]] | null
}
interface DmmfModel {
  name: string
  dbName: string | null
  fields: DmmfField[]
}

/** A column as PostgreSQL's catalogue would describe the type Prisma maps a field to. */
function columnType(field: DmmfField): string {
  const [native, args = []] = field.nativeType ?? []
  if (native === 'VarChar') return `character varying(${args[0]})`
  if (native === 'Timestamptz') return 'timestamp with time zone'
  const defaults: Record<string, string> = {
    Int: 'integer',
    BigInt: 'bigint',
    String: 'text',
    Boolean: 'boolean',
    DateTime: 'timestamp without time zone',
    Float: 'double precision',
    Json: 'jsonb',
  }
  return defaults[field.type] ?? `${field.type}?`
}

/** table → "column type [null]" lines, as schema.prisma describes them. */
function fromSchema(service: string): Record<string, string[]> {
  const schema = readFileSync(join(INFRA, '..', 'services', service, 'prisma', 'schema.prisma'), 'utf8')
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: schema }))) as { datamodel: { models: DmmfModel[] } }
  return Object.fromEntries(
    dmmf.datamodel.models.map((model) => [
      model.dbName ?? model.name,
      model.fields
        .filter((field) => field.kind === 'scalar' || field.kind === 'enum')
        .map((field) => `${field.dbName ?? field.name} ${columnType(field)}${field.isRequired ? '' : ' null'}`)
        .sort(),
    ]),
  )
}

/** table → "column type [null]" lines, as the migrated database has them. */
async function fromDatabase(service: string): Promise<Record<string, string[]>> {
  const database = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templates')[service] as string)
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    const { rows } = await client.query<{
      table_name: string
      column_name: string
      data_type: string
      character_maximum_length: number | null
      is_nullable: 'YES' | 'NO'
    }>(
      `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    )
    const tables: Record<string, string[]> = {}
    for (const row of rows) {
      const type = row.character_maximum_length ? `${row.data_type}(${row.character_maximum_length})` : row.data_type
      const columns = tables[row.table_name] ?? []
      columns.push(`${row.column_name} ${type}${row.is_nullable === 'YES' ? ' null' : ''}`)
      tables[row.table_name] = columns
    }
    for (const columns of Object.values(tables)) columns.sort()
    return tables
  } finally {
    await client.end()
    await database.drop()
  }
}

describe('schema.prisma, as Prisma reads it, against what the migrations build', () => {
  it.each(SERVICES)('%s: the same tables, the same columns, types and nullability', async (service) => {
    expect(await fromDatabase(service)).toEqual(fromSchema(service))
  })
})
