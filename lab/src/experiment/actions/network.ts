/**
 * The `toxic` and `edge-down` actions: a fault on one of the fleet's edges, through the fault proxy's
 * Toxiproxy API (docs/chaos.md#network-faults-the-fault-proxy).
 */
import { parametersOf } from '../fault-ledger.ts'
import { type Action, ttlOf } from './action.ts'

export const networkFault: Action<'toxic' | 'edge-down'> = async (provider, run) => {
  const ttl = ttlOf(run, provider.ttl_s)
  const fault = provider.action === 'toxic' ? provider.toxic : 'down'
  const asked = run.seconds()
  const answer = await run.ledger.whileChanging(provider.edge, fault, () =>
    provider.action === 'toxic'
      ? run.proxy.addToxic(provider.edge, {
          name: `${provider.toxic}_${provider.stream ?? 'downstream'}`,
          type: provider.toxic,
          stream: provider.stream ?? 'downstream',
          toxicity: provider.toxicity ?? 1,
          attributes: provider.attributes ?? {},
          ttl_s: ttl,
        })
      : run.proxy.setEnabled(provider.edge, false, ttl),
  )
  run.ledger.close(run.seconds(), provider.edge, 'switched off', fault)
  const value = provider.action === 'toxic' ? (Object.values(provider.attributes ?? {})[0] ?? true) : true
  run.ledger.open(
    { service: provider.edge, fault, value, parameters: parametersOf({ ...provider, ttl_s: ttl }), from_s: asked },
    run.seconds() + ttl,
    provider.action === 'toxic' ? (answer as { name: string }).name : undefined,
  )
  return answer
}
