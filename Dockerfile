FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY models models
COPY workflows workflows
COPY tasks tasks
COPY cli cli
COPY web web
COPY migrations migrations
COPY worker.py ./
RUN pip install --no-cache-dir . && useradd --create-home willkommen
USER willkommen
CMD ["celery", "-A", "worker", "worker", "--loglevel", "INFO"]
