# gitter-bridge image: the compiled bridge on Node 24, the line the project ships on and tests (scripts/ensure-node.sh
# says the same; package.json's "engines" also allows 22.12 and newer), production dependencies only, run as the
# unprivileged `node` user.
#   Build:  docker build -t gitter-bridge .
#   Run:    see README ("Running with Docker").

# The floating 24 tag keeps patch releases coming. Every stage starts from this one image, so the native module built
# in prod-deps matches the Node that runs it; `npm ci --engine-strict` fails the build on a package (ours included)
# whose "engines" this Node does not meet.
FROM node:24-trixie-slim AS base
WORKDIR /app

# Production dependencies. sqlite3 takes its prebuilt N-API binary when GitHub is reachable and builds from source
# otherwise: that needs Python, make and a C++ compiler, which stay in this stage. package.json's "overrides" names
# a local stub (stubs/), so it is copied before npm ci.
FROM base AS prod-deps
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY stubs ./stubs
RUN npm ci --omit=dev --engine-strict --no-audit --no-fund

# The TypeScript build. It needs the dev dependencies but no native module, so install scripts are skipped.
FROM base AS build
COPY package.json package-lock.json ./
COPY stubs ./stubs
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
RUN npx tsc -p tsconfig.json

FROM base AS runtime
ENV NODE_ENV=production \
    HEALTH_URL=http://127.0.0.1:9899/health
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json config.example.yaml registration.example.yaml ./
# /config: config.yaml and registration.yaml. /data: the database and the token key (see README), for the runtime
# user alone: a new named volume takes this folder's owner and mode.
RUN mkdir -p /config /data && chown node:node /config /data && chmod 0700 /data
USER node
VOLUME ["/config", "/data"]
# 9898: the appservice listener (the homeserver pushes events here); 9899: login pages and /health.
EXPOSE 9898 9899
# HEALTH_URL follows web.port if you change it: docker run -e HEALTH_URL=http://127.0.0.1:<port>/health ...
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTH_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--enable-source-maps", "dist/src/index.js"]
CMD ["--config", "/config/config.yaml"]
