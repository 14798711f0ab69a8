"""Flask extensions, created once here and bound to the app in create_app."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

babel = Babel()
# Pages (HTML, CSV, calendars) compressed as they are sent; static files come precompressed
# (portal/assets.py).
compress = Compress()
csrf = CSRFProtect()
htmx = Htmx()
login_manager = LoginManager()
# Storage comes from RATELIMIT_STORAGE_URI: memory:// in development, Redis in production so that
# every gunicorn worker counts against the same limits.
limiter = Limiter(get_remote_address)
