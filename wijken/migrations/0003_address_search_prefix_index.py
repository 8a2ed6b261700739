from django.db import migrations


class Migration(migrations.Migration):
    """A btree on the normalised address text for the exact "street number" path of the mijn-buurt search:
    a range scan instead of a trigram scan, whose common trigrams ("str", "aat") read most of the GIN index.
    Not part of the model state: it serves one raw query in wijken/lookup/search.py."""

    dependencies = [("wijken", "0002_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS address_search_prefix ON wijken_address (search_text text_pattern_ops)",
            "DROP INDEX IF EXISTS address_search_prefix",
        )
    ]
