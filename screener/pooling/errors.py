"""The one error the pooling engine raises for a problem in the data or the settings."""

from __future__ import annotations

from screener.errors import ScreenerError


class PoolingError(ScreenerError, ValueError):
    """Data or settings that cannot be pooled, or an estimator that did not converge.

    ``str()`` is a complete one-line message, fit for the CLI and the TUI.
    """
