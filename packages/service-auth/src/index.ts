export { secretGuard } from './secret-matcher.ts'
export { type ServiceAuthOptions, serviceAuthorization, serviceAuthPlugin } from './service-auth-plugin.ts'
