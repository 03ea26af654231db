# Shot Video Studio on a CPU machine, serving the studio on port 7860.
# ffmpeg comes inside the imageio-ffmpeg wheel, so no system package is needed.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STUDIO_HOME=/home/studio/data STUDIO_HOST=0.0.0.0 STUDIO_PORT=7860
RUN useradd --create-home --uid 1000 studio
WORKDIR /home/studio/app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=studio:studio . .
USER studio
EXPOSE 7860
CMD ["python", "app.py"]
