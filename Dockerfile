# A small production image: pinned dependencies, non-root, several workers.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
RUN pip install --no-cache-dir --prefix=/install -c constraints.txt .

FROM python:3.11-slim
# Four workers below: 4 × (12 + 10 overflow) connections stay under PostgreSQL's default 100.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ENVIRONMENT=production DATABASE_POOL_SIZE=12
# WeasyPrint lays PDFs out with Pango; Liberation Serif 2 (metric-compatible with Times New
# Roman) and DejaVu Sans (charts) carry every Vietnamese letter.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-liberation2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 htxso
COPY --from=build /install /usr/local
WORKDIR /srv/htxso
COPY alembic.ini ./
COPY migrations ./migrations
COPY surveys ./surveys
COPY templates ./templates
COPY app ./app
COPY pyproject.toml README.md ./
# Editable, so the package finds its templates, surveys and migrations beside it.
RUN pip install --no-cache-dir --no-deps -e . && mkdir -p var && chown htxso var
USER htxso
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Migrations: `docker run ... htxso init` once per release, before the new workers start.
# Behind a reverse proxy, pass its address: `-e FORWARDED_ALLOW_IPS=10.0.0.2` (see README).
# Until then X-Forwarded-For is ignored: the app, not uvicorn, decides whom to believe.
ENV FORWARDED_ALLOW_IPS=""
CMD ["uvicorn", "--factory", "app.main:app_from_env", "--host", "0.0.0.0", "--port", "8000", "--workers", "4", "--no-proxy-headers"]
