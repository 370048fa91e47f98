/**
 * The `fault` action: a service's chaos switch on (or off), with a TTL and, when the run is seeded, a
 * seed (docs/chaos.md#the-switches).
 */
import { parametersOf } from '../fault-ledger.ts'
import { type Action, ttlOf } from './action.ts'

export const switchFault: Action<'fault'> = async (provider, run) => {
  const chaos = run.available.get(provider.service)?.find((s) => s.name === provider.fault)
  if (!chaos) throw new Error(`the ${provider.service} service has no fault ${provider.fault}`)
  const ttl = ttlOf(run, provider.ttl_s)
  const seed = run.seeds?.next(provider.service, provider.fault)
  // A window opens when the fault was asked for, not when the answer came back: the service
  // applies it before it answers, and a request begun in between is already in the fault's window.
  const asked = run.seconds()
  const answer = await run.ledger.whileChanging(provider.service, provider.fault, () =>
    run.client.call(provider.service, 'POST', chaos.route, {
      json: { [chaos.field]: provider.value, ttl_s: ttl, ...(seed === undefined ? {} : { seed }) },
      record: false,
    }),
  )
  if (answer.status !== 200)
    throw new Error(`POST ${chaos.route} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  run.ledger.close(run.seconds(), provider.service, 'switched off', provider.fault)
  if (provider.value !== 0 && provider.value !== false) {
    run.ledger.open(
      {
        service: provider.service,
        fault: provider.fault,
        value: provider.value,
        parameters: parametersOf({ ...provider, ttl_s: ttl, ...(seed === undefined ? {} : { seed }) }),
        from_s: asked,
      },
      run.seconds() + ttl,
    )
  }
  return answer.body
}
