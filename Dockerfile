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
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin ticketd \
    && mkdir -p /data && chown ticketd /data
COPY --from=build /src/target/release/ticketd /usr/local/bin/ticketd
USER ticketd
WORKDIR /data
# The SQLite database (and its WAL files) live here; mount a volume to keep them.
VOLUME /data
ENV DATABASE_URL=sqlite:///data/ticketd.db \
    TICKETD_LISTEN=0.0.0.0:8080 \
    TICKETD_HEALTHCHECK_ADDR=127.0.0.1:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["ticketd", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["ticketd"]
CMD ["serve"]
