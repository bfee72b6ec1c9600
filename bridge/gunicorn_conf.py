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
    """Start the job worker inside the serving process, once the app is loaded."""
    worker.wsgi.extensions["bridge"].start_background()
