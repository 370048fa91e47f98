/**
 * The lab's test fixtures, one per kind of fleet a test file runs against (docs/testing.md): each
 * is started by the first hook or test of a file that asks for it, and closed after the file's last.
 */
import { fleetTest } from '@food/order-service/test-fleet'

export { FLEET_START_MS } from '@food/order-service/test-fleet'

import { startProxiedFleet } from './proxied-fleet.ts'

export const test = fleetTest
  /** The three services with a fault proxy of the test's own on the order → restaurant edge. */
  .extend('proxiedFleet', { scope: 'file' }, async ({ fleetEnv }, { onCleanup }) => {
    const proxied = await startProxiedFleet(fleetEnv.order as Record<string, string> | undefined)
    onCleanup(() => proxied.close())
    return proxied
  })
