/**
 * The `terminate-sessions` fault: PostgreSQL ending a service's sessions, as a failover or an
 * administrator does (docs/chaos.md).
 */
import pg from 'pg'

/**
 * Terminates the service's sessions (in `database` only, when named) with `pg_terminate_backend`;
 * how many. A service's sessions are those of its application name (`order-service`: each pool sets
 * it); its pool finds its connections gone mid-query.
 */
export async function terminateSessions(postgresUrl: string, service: string, database?: string): Promise<number> {
  const admin = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5000 })
  await admin.connect()
  try {
    const { rows } = await admin.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE application_name = $1 AND ($2::text IS NULL OR datname = $2) AND pid <> pg_backend_pid()`,
      [`${service}-service`, database ?? null],
    )
    return rows.filter((row) => row.terminated).length
  } finally {
    await admin.end()
  }
}
