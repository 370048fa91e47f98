import { spawn } from 'node:child_process'
import { once } from 'node:events'

/** Runs a service's dev seed (`prisma/seed.ts`) as `npm run setup` does, with `env`; its exit code. */
export async function runDevSeed(serviceDir: string, env: Record<string, string>): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'prisma/seed.ts'], {
    cwd: serviceDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: 'ignore',
  })
  const [code] = await once(child, 'exit')
  return code as number | null
}
