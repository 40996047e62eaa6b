"""`manage.py reindex`: rebuild the search indexes from the catalog.

Always rewrites the PostgreSQL search documents and recounts units sold (one statement each).
With SEARCH_BACKEND=elasticsearch (or --elasticsearch), also builds a complete new
Elasticsearch index with a progress bar and switches the alias to it atomically: searches go
on reading the old index until the switch, so a reindex has no downtime.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.models import Variant
from catalog.search import backend_name
from catalog.search.documents import refresh_documents, refresh_units_sold
from catalog.search.elastic.client import ElasticsearchUnavailable
from catalog.search.elastic.indexing import reindex


class Command(BaseCommand):
    help = "Rebuild the search documents (PostgreSQL) and, with Elasticsearch, a new index behind the alias."

    def add_arguments(self, parser):
        parser.add_argument("--elasticsearch", action="store_true", help="Reindex Elasticsearch whatever SEARCH_BACKEND says.")

    def handle(self, *args, **options):
        refresh_documents()
        changed = refresh_units_sold()
        self.stdout.write(f"search documents rewritten; units sold changed for {changed} SKUs")
        if not (options["elasticsearch"] or backend_name() == "elasticsearch"):
            return
        total = Variant.objects.filter(is_active=True, product__is_active=True).count()
        try:
            with tqdm(total=total, unit=" SKUs", desc="indexing", disable=None) as bar:
                name = reindex(progress=bar.update)
        except ElasticsearchUnavailable as error:
            raise CommandError(f"Elasticsearch: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"{total} SKUs indexed into {name}; the alias now points to it"))
