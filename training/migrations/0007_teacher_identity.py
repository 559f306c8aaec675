# One person, one teacher: the 身份证号 as a keyed hash (unique when given) and a masked form.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('training', '0006_orderclass_graduation_year'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalteacher',
            name='id_number_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='身份证号摘要'),
        ),
        migrations.AddField(
            model_name='historicalteacher',
            name='id_number_masked',
            field=models.CharField(blank=True, editable=False, max_length=18, verbose_name='身份证号'),
        ),
        migrations.AddField(
            model_name='teacher',
            name='id_number_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='身份证号摘要'),
        ),
        migrations.AddField(
            model_name='teacher',
            name='id_number_masked',
            field=models.CharField(blank=True, editable=False, max_length=18, verbose_name='身份证号'),
        ),
        migrations.AddConstraint(
            model_name='teacher',
            constraint=models.UniqueConstraint(condition=models.Q(('id_number_hash', ''), _negated=True), fields=('id_number_hash',), name='teacher_unique_id_number', violation_error_message='该教师已登记。'),
        ),
    ]
