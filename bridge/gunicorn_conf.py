"""gunicorn settings for ``make run``, from the BRIDGE_* environment.

One worker process with threads: the embedded Chroma store may be opened by one
process only. Serve many processes by pointing BRIDGE_CHROMA_URL at a Chroma server.
"""

import os

bind = f"{os.environ.get('BRIDGE_HOST', '127.0.0.1')}:{os.environ.get('BRIDGE_PORT', '8000')}"
workers = int(os.environ.get("BRIDGE_WORKERS", "1"))
worker_class = "gthread"
threads = int(os.environ.get("BRIDGE_THREADS", "8"))
timeout = 120
accesslog = "-"
errorlog = "-"


def post_worker_init(worker):
    """Start the job worker inside the serving process, once the app is loaded, and the sync
    scheduler unless BRIDGE_SCHEDULER=off (then `flask bridge scheduler` runs it elsewhere).
    With several workers only the first to take the scheduler's file lock runs it."""
    from bridge.errors import ConflictError

    services = worker.wsgi.extensions["bridge"]
    services.start_background()
    if services.config["SCHEDULER"]:
        try:
            services.sync_scheduler.start()
        except ConflictError as exc:
            worker.log.info("sync scheduler not started in this worker: %s", exc.message)
