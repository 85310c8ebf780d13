# gitter-bridge: multi-stage build on the Node version package.json's "engines" names.
# Build:  docker build -t gitter-bridge .
# Run:    see README ("Running with Docker").

FROM node:20-bookworm-slim AS build
WORKDIR /app
# sqlite3 builds from source: it needs a compiler and Python.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY stubs ./stubs
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json config.example.yaml registration.example.yaml ./
RUN mkdir -p /config /data && chown node:node /config /data
USER node
VOLUME ["/config", "/data"]
EXPOSE 9898 9899
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:9899/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/index.js"]
CMD ["--config", "/config/config.yaml"]
