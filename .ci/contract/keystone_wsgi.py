"""Keystone under gunicorn: Keystone's config parser reads the process's argv, so gunicorn's own
flags would kill every worker; the application sees a bare argv."""
import sys

sys.argv = sys.argv[:1]
from keystone.server.wsgi import initialize_public_application  # noqa: E402

application = initialize_public_application()
