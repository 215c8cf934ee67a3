FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Letters (WeasyPrint): Pango for text shaping, Noto fonts for Arabic, Farsi, Cyrillic.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
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
RUN pip install --no-cache-dir . && useradd --create-home willkommen
USER willkommen
CMD ["celery", "-A", "worker", "worker", "--loglevel", "INFO"]
