# The Minsheng bot: one image for the bot (polling or, later, webhook replicas).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY core ./core
COPY locales ./locales
RUN pip install -e . && useradd --create-home minsheng && mkdir -p /app/data && chown minsheng /app/data

USER minsheng
# Migrations run at start-up; the catalogues are compiled into /app/data/locales.
CMD ["python", "-m", "bot", "run"]
