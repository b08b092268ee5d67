from django.db import migrations, models

import servicedesk.customers.models


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_site_passport_tokens")]

    operations = [
        migrations.AlterField(
            model_name="site",
            name="passport_token",
            field=models.CharField(
                default=servicedesk.customers.models.new_passport_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="passport token",
            ),
        ),
    ]
