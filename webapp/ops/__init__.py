"""Running the platform for years: health probes, metrics, backup and restore, key rotation."""
from webapp.ops.views import bp

__all__ = ["bp"]
