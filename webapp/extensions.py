"""Flask extensions, created unbound here and bound in the app factory."""
from typing import TYPE_CHECKING, cast

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from webapp.models.base import Base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    class _SQLAlchemy(SQLAlchemy):
        # ``db.session`` is a scoped_session: a registry that proxies every method of the
        # request's Session, so the services' ``session: Session`` parameters accept it.
        session: Session  # type: ignore[assignment]

db = cast("_SQLAlchemy", SQLAlchemy(model_class=Base))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
talisman = Talisman()
