import { defineConfig } from 'prisma/config'

// Migrations are applied by `pnpm db:migrate` (packages/postgres), which works offline;
// Prisma's CLI is used here only to generate the client.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/order_db' },
})
