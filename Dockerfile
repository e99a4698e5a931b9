# Switchyard on Node, where HAProxy's official image runs: the configuration is read from
# /usr/local/etc/haproxy/haproxy.cfg, and SIGUSR1 (HAProxy's soft stop) stops it gracefully.
#
#   docker build -t switchyard .
#   docker run -v "$PWD/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" -p 8080:8080 switchyard
#
# Set SWITCHYARD_HEALTH_URL (for example a frontend's monitor-uri, http://127.0.0.1:8405/healthz)
# to give the container a health check; without it the check only says the container runs.

FROM node:26-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the build needs TypeScript and Bun's bundler only, not the Deno and Node
# binaries that the devDependencies' install scripts would set up for the test suite. Bun's own
# install script is run: it puts the binary of the platform package npm installed in place.
RUN npm ci --ignore-scripts --no-audit --no-fund && (cd node_modules/bun && node install.js)
COPY tsconfig.base.json tsconfig.json tsconfig.core.json ./
COPY src ./src
COPY adapters ./adapters
COPY test ./test
COPY bench ./bench
COPY scripts/bundle-node.mjs ./scripts/bundle-node.mjs
# The Node entry as one file too (dist/adapters/node/main.bundle.js, which bin/switchyard.js
# prefers): Node's ESM loader pays per module, and a start loads some 600 of them.
RUN npx tsc -p tsconfig.json && node scripts/bundle-node.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:26-slim
ENV NODE_ENV=production
WORKDIR /opt/switchyard
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/adapters/node ./dist/adapters/node
COPY --from=build /src/dist/adapters/shared ./dist/adapters/shared
COPY bin ./bin
COPY examples ./examples
COPY scripts/healthcheck.mjs ./scripts/healthcheck.mjs
RUN ln -s /opt/switchyard/bin/switchyard.js /usr/local/bin/switchyard
USER node
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=10s --timeout=3s CMD ["node", "/opt/switchyard/scripts/healthcheck.mjs"]
ENTRYPOINT ["node", "/opt/switchyard/bin/switchyard.js"]
CMD ["-f", "/usr/local/etc/haproxy/haproxy.cfg"]
