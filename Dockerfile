# Multi-stage build: compile in the Rust image, run from a slim Debian image as a non-root user.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
# Declared bench targets must exist for Cargo to read the manifest.
COPY benches benches
RUN cargo build --release --locked --bin ticketd

FROM debian:bookworm-slim
# HTTPS webhooks and SMTP over TLS verify certificates against the system trust store, which
# the slim image does not have: without these roots every TLS delivery would fail verification.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin ticketd \
    && mkdir -p /data && chown ticketd /data
COPY --from=build /src/target/release/ticketd /usr/local/bin/ticketd
# Fail the build here, not at the first delivery, when ticketd finds no trusted roots.
RUN ["ticketd", "doctor", "--only", "tls-roots"]
USER ticketd
WORKDIR /data
# The SQLite database (and its WAL files) live here; mount a volume to keep them.
VOLUME /data
ENV DATABASE_URL=sqlite:///data/ticketd.db \
    TICKETD_LISTEN=0.0.0.0:8080 \
    TICKETD_HEALTHCHECK_ADDR=127.0.0.1:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["ticketd", "healthcheck"]
# ticketd drains on SIGTERM within --shutdown-timeout (30s); give `docker stop` a longer -t.
STOPSIGNAL SIGTERM
ENTRYPOINT ["ticketd"]
CMD ["serve"]
