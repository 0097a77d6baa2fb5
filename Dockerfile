# sellerguard: multi-stage build; the runtime image runs `serve` as a non-root user with
# the data directory on a volume.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN bash scripts/setup-debian.sh && cargo build --release --locked

FROM debian:bookworm-slim
# Tesseract runtime and its language data (Simplified, Traditional Chinese, English).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libtesseract5 tesseract-ocr-eng \
      tesseract-ocr-chi-sim tesseract-ocr-chi-tra ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /app sellerguard \
 && mkdir -p /app/data && chown sellerguard /app/data
WORKDIR /app
COPY --from=build /src/target/release/sellerguard /usr/local/bin/sellerguard
COPY config ./config
COPY rules ./rules
ENV SELLERGUARD_DATA_DIR=/app/data OMP_THREAD_LIMIT=1
VOLUME /app/data
USER sellerguard
ENTRYPOINT ["sellerguard"]
CMD ["serve"]
