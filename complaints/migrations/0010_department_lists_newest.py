from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("complaints", "0009_kinds_of_every_branch")]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                fields=["department", "created_at", "id"], name="complaint_department_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                fields=["first_ask_department", "created_at", "id"], name="complaint_taken_newest"
            ),
        ),
    ]
