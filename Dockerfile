# Production image: one image for web, worker and beat (the command differs).
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_DEBUG=false
RUN apt-get update && apt-get install -y --no-install-recommends \
        gdal-bin libgdal32 libgeos-c1v5 libproj25 \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
        gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY wijken ./wijken
COPY partners ./partners
COPY sectorscans ./sectorscans
COPY buurtgesprekken ./buurtgesprekken
COPY meldingen ./meldingen
COPY rapportage ./rapportage
# Editable, so that the C extensions (wijken/lookup/*.c) are built into /app, where the code is imported from;
# the compiler is removed in the same layer.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install --no-cache-dir -e . \
    && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY . .
COPY --from=frontend /app/node_modules ./node_modules
# Build-time values only: collectstatic and compilemessages need settings, not real secrets or services.
RUN DJANGO_SECRET_KEY=build-only python manage.py compilemessages --ignore=node_modules -v0 \
    && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput -v0
RUN useradd --create-home --uid 1000 wijkwerk && mkdir -p /app/media && chown wijkwerk /app/media
USER wijkwerk
EXPOSE 8000
# Sync workers, 3 per 2 cores: measured best for the public lookup (docs/performance.md §5).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "sync", "--workers", "3", "--preload", "--access-logfile", "-"]
