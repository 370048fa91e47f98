// An experiment file's chaos plan as a schedule (load-tests/experiments/*.json): its load, and when
// each fault goes on and off, in seconds from the method's start, from the activities' pauses,
// the faults' TTLs and the clears, as the experiment runner applies them. Plain JavaScript with
// no import, so that both the k6 scripts (lib.js) and the Node scenario runner read the plan
// through this one function: a schedule is written once, in the experiment file.

const isFault = (p) => p.type === 'fleet' && p.action === 'fault'
const isClear = (p) => p.type === 'fleet' && p.action === 'clear-faults'
const isLoad = (p) => p.type === 'fleet' && p.action === 'load'

/**
 * { load: the load action's provider, durationS: the method's length (at least the load's),
 *   faults: [{ service, fault, value, fromS, untilS }] } for an experiment.
 */
export function scheduleOf(experiment) {
  const load = experiment.method.map((activity) => activity.provider).find(isLoad)
  const faults = []
  let at = 0
  const close = (until, match) => {
    for (const fault of faults) if (fault.untilS > until && match(fault)) fault.untilS = until
  }
  for (const activity of experiment.method) {
    const provider = activity.provider
    at += activity.pauses?.before ?? 0
    if (isFault(provider)) {
      close(at, (f) => f.service === provider.service && f.fault === provider.fault)
      if (provider.value !== 0 && provider.value !== false) {
        faults.push({
          service: provider.service,
          fault: provider.fault,
          value: provider.value,
          fromS: at,
          untilS: provider.ttl_s ? at + provider.ttl_s : Number.POSITIVE_INFINITY,
        })
      }
    } else if (isClear(provider)) {
      close(at, (f) => !provider.service || f.service === provider.service)
    } else if (isLoad(provider) && !activity.background) {
      at += provider.duration_s
    }
    at += activity.pauses?.after ?? 0
  }
  const durationS = Math.max(at, load ? load.duration_s : 0)
  close(durationS, () => true)
  return { load, durationS, faults }
}
