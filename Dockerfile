# lgsp-hub: runs the TypeScript sources with tsx (no build step), as `npm start` does.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    PGLITE_DIR=/data/pglite

WORKDIR /app

# Dependencies first, so source changes reuse this layer. Dev dependencies (tests, tsc) stay out.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY core ./core
COPY store ./store
COPY connectors ./connectors
COPY indicators ./indicators
COPY live ./live
COPY schema ./schema
COPY gateway ./gateway
COPY scripts ./scripts
COPY tsconfig.json schema.graphql ./

# Embedded PGlite keeps its files here when DATABASE_URL is not set.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node

EXPOSE 4000
# The first start loads the simulated demo province into an empty store (about 25 s on PGlite).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# node runs as PID 1 (not under npm), so the SIGTERM of `docker stop` reaches the graceful shutdown.
CMD ["node", "--import", "tsx", "gateway/main.ts"]
