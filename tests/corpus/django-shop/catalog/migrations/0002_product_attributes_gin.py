# Hand-written: Django's ORM cannot say "GIN with jsonb_path_ops" without
# django.contrib.postgres, and the storefront filters products by facet with
# Product.objects.filter(attributes__contains={...}), i.e. attributes @> '{...}'.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0001_initial'),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX catalog_product_attributes_gin "
                "ON catalog_product USING gin (attributes jsonb_path_ops);",
            reverse_sql="DROP INDEX IF EXISTS catalog_product_attributes_gin;",
        ),
    ]
