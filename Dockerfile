# One image for web, worker and beat (see docker-compose.yml).

# 1. Front-end: GOV.UK Frontend from npm, compiled with the council's brand.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
ARG BRAND_COLOUR=#1d5d90
ARG BRAND_FONT_STACK=
RUN BRAND_COLOUR="$BRAND_COLOUR" BRAND_FONT_STACK="$BRAND_FONT_STACK" node static/build.mjs

# 2. The Django portal, with WeasyPrint's system libraries.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=sendportal.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 shared-mime-info \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 portal
WORKDIR /app
# Every dependency, transitive ones too, at the version and hash in the lock
# file ("make lock"); then the portal itself, with nothing more resolved.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps .
COPY --from=assets /app/static/dist ./static/dist
# collectstatic needs settings but no real secret: it only copies files.
RUN SECRET_KEY=build-only-$(head -c 40 /dev/urandom | base64 | tr -dc a-z0-9)xxxxxxxxxxxxxxxxxxxxxxxxxxxx \
    ALLOWED_HOSTS=build EMAIL_HOST=build python manage.py collectstatic --noinput
RUN mkdir -p /app/media /app/outbox && chown portal /app/media /app/outbox
USER portal
EXPOSE 8000
# gunicorn.conf.py: access log with tokens redacted, no Server banner.
CMD ["gunicorn", "sendportal.wsgi", "--config", "gunicorn.conf.py"]
