import { fileURLToPath } from 'node:url'
import { serviceGlobalSetup } from '@food/testing'

const migrationsOf = (service: string) => fileURLToPath(new URL(`../../${service}/prisma/migrations`, import.meta.url))

// The order tests run the real user and restaurant services beside the order service.
export default serviceGlobalSetup({
  project: 'order',
  migrations: { order: migrationsOf('order'), user: migrationsOf('user'), restaurant: migrationsOf('restaurant') },
})
