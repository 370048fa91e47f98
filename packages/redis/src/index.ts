export { type CacheResult, createCacheInstruments, JsonCache, type JsonCacheOptions } from './json-cache.ts'
export { type RedisPluginOptions, redisPlugin } from './redis-plugin.ts'
