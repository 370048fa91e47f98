# syntax=docker/dockerfile:1.7
# One image per service:  docker build --build-arg SERVICE=order -t food-delivery/order .
ARG NODE_IMAGE=node:20.20-slim

FROM ${NODE_IMAGE} AS pnpm
RUN npm install -g pnpm@9.15.9 && npm cache clean --force
WORKDIR /app

FROM pnpm AS build
ARG SERVICE
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc tsconfig.base.json ./
COPY packages/ packages/
COPY services/ services/
COPY docker/ docker/
# The service and the workspace packages it uses; then its Prisma client; then only production
# dependencies are kept (the Prisma CLI goes, the generated client stays).
RUN pnpm install --frozen-lockfile --filter "@food/${SERVICE}-service..."
RUN pnpm --filter "./services/${SERVICE}" run db:generate
RUN pnpm install --frozen-lockfile --prod --filter "@food/${SERVICE}-service..." \
 && find services -mindepth 1 -maxdepth 1 ! -name "${SERVICE}" -exec rm -rf {} + \
 && rm -rf "services/${SERVICE}/test" "services/${SERVICE}/bench" packages/*/test packages/testing

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
WORKDIR /app/services/${SERVICE}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "/app/docker/healthcheck.mjs"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
# The OpenTelemetry bootstrap is loaded first, so it patches every module the service loads.
CMD ["node", "--import", "tsx", "--import", "@food/telemetry/register", "src/server.ts"]
