"""``python -m helpers validate``: the method-validation simulation study (see :mod:`helpers.validation`)."""

from helpers.validation import run_study, validate_cli

__all__ = ["run_study", "validate_cli"]
