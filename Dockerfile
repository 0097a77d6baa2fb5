# sellerguard: multi-stage build. The binary carries its default settings, rules,
# channels, advice and model, so the runtime image holds only it, Tesseract and its
# language data; it runs `serve` as a non-root user with the data directory on a volume.
# Edited defaults (`sellerguard init DIR`) can be mounted and named by
# SELLERGUARD_CONFIG_DIR (see compose.yaml).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN bash scripts/setup-debian.sh && cargo build --release --locked --bin sellerguard

FROM debian:bookworm-slim
# Tesseract runtime and its language data (Simplified, Traditional Chinese, English);
# curl for the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libtesseract5 tesseract-ocr-eng \
      tesseract-ocr-chi-sim tesseract-ocr-chi-tra ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --no-create-home sellerguard \
 && mkdir -p /data && chown sellerguard /data
COPY --from=build /src/target/release/sellerguard /usr/local/bin/sellerguard
ENV SELLERGUARD_DATA_DIR=/data OMP_THREAD_LIMIT=1 SELLERGUARD_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
VOLUME /data
USER sellerguard
# Unhealthy while the bot's polling fails (GET /healthz answers 503 then).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl --fail --silent --max-time 4 http://127.0.0.1:8080/healthz > /dev/null || exit 1
ENTRYPOINT ["sellerguard"]
CMD ["serve"]
