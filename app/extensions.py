"""The Flask extensions, created unbound and bound in ``create_app``."""

from celery import Celery
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

from app.inputs.json_columns import dump_json, load_json

# Constraint names are fixed so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Objects stay readable after a commit (a request renders what its step just wrote) instead of
# being reloaded attribute by attribute; each request or job starts from a fresh session.
# JSON columns are written without NaN or infinities and read with any stored before as null.
db = SQLAlchemy(
    metadata=MetaData(naming_convention=NAMING),
    session_options={"expire_on_commit": False},
    engine_options={"json_serializer": dump_json, "json_deserializer": load_json},
)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Limits are declared on the views they guard (the log-in); storage and strategy come from the config.
limiter = Limiter(key_func=get_remote_address)
celery = Celery("credit")
talisman = Talisman()  # the security headers: bound in app.web.security_headers
