from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def ticket_number_mask_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from servicedesk.tickets.numbering import MaskError, validate_mask

    try:
        validate_mask(settings.TICKET_NUMBER_MASK)
    except MaskError as error:
        return [Error(str(error), hint="For example: ########", id="servicedesk.E002")]
    return []
