export { httpClientPlugin } from './http-client-plugin.ts'
export {
  ServiceClient,
  type ServiceClientOptions,
  type ServiceRequest,
  type ServiceResponse,
} from './service-client.ts'
