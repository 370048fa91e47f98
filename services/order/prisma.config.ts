import { defineConfig } from 'prisma/config'

// Migrations are applied by `pnpm db:migrate` (packages/postgres), which works offline. The
// service queries with plain SQL (src/db/order-repository.ts): this schema is the tables'
// description, and `prisma migrate diff` / `migrate dev` write new migrations from it.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/order_db' },
})
