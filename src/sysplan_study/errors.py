"""User-facing errors: the CLI turns these into one line on stderr and exit 1."""


class UserError(Exception):
    """A problem the user can fix (bad input, bad file, unknown id); never shown with a traceback."""
