"""Copy the contact onto theme results, so that the aggregates read one covering index instead of joining scans."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("sectorscans", "0002_digest_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="themeresult",
            name="contact",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="partners.contactperson"
            ),
        ),
        migrations.RunSQL(
            "UPDATE sectorscans_themeresult t SET contact_id = s.contact_id FROM sectorscans_scan s WHERE s.id = t.scan_id",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="themeresult",
            name="contact",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="partners.contactperson"
            ),
        ),
        migrations.RemoveIndex(model_name="themeresult", name="themeresult_aggregate"),
        migrations.AddIndex(
            model_name="themeresult",
            index=models.Index(
                fields=["zone", "date"],
                include=("wijk", "theme_key", "score", "has_problem", "contact"),
                name="themeresult_aggregate",
            ),
        ),
    ]
