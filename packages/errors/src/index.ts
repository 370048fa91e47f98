export {
  AppError,
  badRequest,
  conflict,
  gatewayTimeout,
  injectedError,
  notFound,
  requestTimeout,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unprocessable,
} from './app-error.ts'
export { answerClientError, answerFrameworkError } from './client-error.ts'
export { type ErrorTranslator, errorHandlerPlugin } from './error-handler-plugin.ts'
export { ErrorResponse, errorBody, errorResponse } from './error-schema.ts'
export type { ErrorReply } from './to-error-response.ts'
