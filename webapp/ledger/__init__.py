"""Money pages: balances of funds, budgets and the reserve; auditors' accounts, journals and
vouchers with CSV/XLSX export; officers' disburse, void, sign-off and green-channel actions."""
from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/ledger", template_folder="templates")

from webapp.ledger import views  # noqa: F401
