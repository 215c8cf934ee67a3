# The product's image: web, worker, beat, Flower and the migrations run from it (docker-compose.yml).
# Two stages: the build stage makes a virtual environment with the project and its locked
# dependencies; the runtime stage holds only that environment, the system libraries letters need
# and a non-root user. BASE is pinned; the container test builds from a Debian base made from
# Debian's packages (scripts/container-base), as no registry is reachable there.
ARG BASE=python:3.11.11-slim-bookworm

FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv
WORKDIR /src
# The locked set first (its own layer: rebuilt only when the lock changes); pip refuses any file
# whose hash is not in the lock. Then the project on top, without resolving anything again.
COPY requirements/runtime.txt requirements/
RUN /opt/venv/bin/pip install --quiet --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY core core
COPY models models
COPY workflows workflows
COPY tasks tasks
COPY cli cli
COPY web web
COPY migrations migrations
COPY locales locales
COPY worker.py ./
RUN /opt/venv/bin/pip install --quiet --no-deps --no-build-isolation . && /opt/venv/bin/pip check

FROM ${BASE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    WILLKOMMEN_DATA_DIR=/home/willkommen/var
# Letters (WeasyPrint): Pango and HarfBuzz for text shaping, Noto fonts for Arabic, Farsi, Cyrillic.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 willkommen
COPY --from=build /opt/venv /opt/venv
USER willkommen
WORKDIR /home/willkommen
CMD ["celery", "-A", "worker", "worker", "--loglevel", "INFO"]
