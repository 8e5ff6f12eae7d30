# syntax=docker/dockerfile:1
# The Junction gateway. Three stages: compile TypeScript with every dependency, install the
# production dependencies alone, then a slim runtime holding only those, the compiled code and the
# schema, run as the unprivileged `node` user. See README, "Deployment".
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall applies patches/ to the installed dependencies (and fails if one does not apply).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-ide.ts ./scripts/
COPY src ./src
# tsc into dist/, then the offline IDE's bundle into dist/ide.
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# MALLOC_ARENA_MAX as `npm start` sets it: fewer glibc arenas, less RSS (src/heap-growth.ts says why).
ENV NODE_ENV=production \
    PORT=4000 \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY schema ./schema
USER node
EXPOSE 4000
# Liveness only: /readyz is for load balancers (it turns 503 while the gateway drains on SIGTERM).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# main.js drains on SIGTERM (SHUTDOWN_DRAIN_DELAY_MS), then finishes in-flight requests (SHUTDOWN_GRACE_MS).
STOPSIGNAL SIGTERM
# V8 heap flags: src/heap-growth.ts says why (Node 24 takes them from the command line only).
CMD ["node", "--heap-growing-percent=50", "--max-semi-space-size=16", "--no-allocation-site-pretenuring", "dist/main.js"]
