# One image for every process of docker-compose.yml: web (gunicorn), worker and beat (Celery).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=innovation.settings_production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media

WORKDIR /app

# Dependencies first, so that a change of code alone does not reinstall them. The build
# constraint keeps setuptools below 81 for xstatic-bootstrap's sdist (it needs pkg_resources).
COPY pyproject.toml build-constraints.txt ./
RUN pip install --no-cache-dir uv \
 && uv pip install --system --no-cache --build-constraint build-constraints.txt -r pyproject.toml

COPY . .

# .run/ holds beat's schedule file; /data/media is the attachments volume.
# collectstatic needs a secret key to load the production settings, not a real one.
RUN useradd --system --uid 10001 --home-dir /app tremplin \
 && mkdir -p /app/.run /data/media \
 && chown tremplin:tremplin /app/.run /data/media \
 && DJANGO_SECRET_KEY=collectstatic-at-build-time-only-not-used-to-sign-anything \
    python manage.py collectstatic --noinput --verbosity 0

USER tremplin
EXPOSE 8000
CMD ["gunicorn", "innovation.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--access-logfile", "-"]
