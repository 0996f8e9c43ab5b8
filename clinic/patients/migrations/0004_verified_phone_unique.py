from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0003_patient_record_data"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.UniqueConstraint(condition=models.Q(('phone_verified', True), models.Q(('phone', ''), _negated=True)), fields=('phone',), name='patients_verified_phone_unique'),
        ),
    ]
