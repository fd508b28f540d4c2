# A small image with the scryptorum binary for CI systems that prefer containers:
#   docker build -t scryptorum .                      # the latest release
#   docker build --build-arg VERSION=v0.2.0 -t scryptorum .
#   docker run --rm -v "$PWD:/work" scryptorum list-runs my-exp
# The binary is checked against the release's SHA256SUMS before it is copied in.
FROM debian:bookworm-slim AS fetch
ARG VERSION=latest
ARG RELEASES_URL=https://github.com/scryptorum/scryptorum/releases
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
COPY install.sh /tmp/install.sh
RUN SCRYPTORUM_VERSION="$VERSION" SCRYPTORUM_RELEASES_URL="$RELEASES_URL" SCRYPTORUM_INSTALL=/opt/scryptorum CI=1 \
    sh /tmp/install.sh --no-modify-path

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates git && rm -rf /var/lib/apt/lists/*
COPY --from=fetch /opt/scryptorum/bin/scryptorum /usr/local/bin/scryptorum
WORKDIR /work
ENTRYPOINT ["scryptorum"]
CMD ["--help"]
