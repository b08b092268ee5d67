from django.utils.functional import Promise


class ApplicationError(Exception):
    """A business rule refused an action. Pages show `message`; the API returns `code`."""

    def __init__(self, message: str | Promise, *, code: str = "invalid", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
