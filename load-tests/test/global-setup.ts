import { fleetGlobalSetup } from '@food/testing'

export default fleetGlobalSetup('load')
