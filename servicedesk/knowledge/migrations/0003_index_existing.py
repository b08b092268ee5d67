from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def index_existing(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Articles written before the search index existed (0002) are put into it: an installation
    that had a knowledge base before upgrading finds its articles at once. Later changes to how
    articles are indexed are carried by `manage.py kb_reindex`, not by editing this."""
    from servicedesk.knowledge.search import index_article

    article_model = apps.get_model("knowledge", "Article")
    fields = ("pk", "title", "summary", "body", "language")
    for article in article_model.objects.order_by("pk").only(*fields).iterator(chunk_size=500):
        index_article(article)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search")]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop, elidable=False)]
