# The lab workflow's rules, once the data follows them (0004).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('labs', '0004_release_reports_with_files'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='labreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['resulted', 'released']), _negated=True), models.Q(('file', ''), _negated=True), _connector='OR'), name='labreport_result_has_file'),
        ),
        migrations.AddConstraint(
            model_name='labreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'released'), _negated=True), ('released_at__isnull', False), _connector='OR'), name='labreport_release_is_dated'),
        ),
    ]
