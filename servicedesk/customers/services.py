from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from servicedesk.customers.models import Site


@transaction.atomic
def site_save(site: Site) -> Site:
    """Validate and save a site, keeping its materialised path and its descendants' in step.

    Use this (not `site.save()`) wherever a site is created or moved: the path is what the
    scoping layer matches "this site and everything beneath it" on.
    """
    site.full_clean()
    old_path = site.path
    site.save()
    new_path = f"{site.parent.path if site.parent else ''}{site.pk}/"
    if new_path != old_path:
        Site.objects.filter(pk=site.pk).update(path=new_path)
        if old_path:
            # Moved: rewrite the prefix of every descendant in one statement.
            Site.objects.filter(path__startswith=old_path).exclude(pk=site.pk).update(
                path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
            )
        site.path = new_path
    return site
