# advocate-rules: the built Node server. Not built in CI (no container daemon
# there); each step below is a command test/ops/built-server.test.ts runs on a
# copy of the repository: `npm ci --omit=dev`, `npm run build`, `node dist/node.js`.
#
#   docker build -t advocate-rules .
#   docker compose up          # with PostgreSQL and a mail catcher (compose.yaml)

FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY . .
RUN npm ci --omit=dev --no-audit --no-fund
RUN npm run build

FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# SQLite's default location, for trying the image without PostgreSQL; owned by the unprivileged user.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# /readyz: the database is reachable and migrated and the outbox is moving.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The server itself is PID 1 (no shell, no npm): SIGTERM reaches its handler,
# which drains requests and sends within SHUTDOWN_TIMEOUT_MS (keep it below
# the runtime's stop timeout: docker stop waits 10 s by default, use -t 15).
STOPSIGNAL SIGTERM
CMD ["node", "dist/node.js"]
