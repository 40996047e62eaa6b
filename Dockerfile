# DealerMall web and worker image. Build: docker build -t dealermall .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/dealermall
WORKDIR /app

COPY requirements.lock pyproject.toml README.md ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN mkdir -p "$VAR_DIR/private" \
    && DEBUG=1 python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --home /app dealermall && chown -R dealermall "$VAR_DIR"
USER dealermall

EXPOSE 8000
# Workers: WEB_CONCURRENCY (default 3). Access lines come from the app as JSON (docs/operations.md).
CMD ["gunicorn", "-c", "python:operations.gunicorn_conf", "mall.wsgi:application"]
