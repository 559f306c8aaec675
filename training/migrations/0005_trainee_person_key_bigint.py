# Written by hand.
#
# Trainee.person_key becomes an integer: the first 60 bits (15 hex digits) of the HMAC it held,
# the same value training.importer.person_key_for computes for new rows. The unique
# (session, person_key) index and the distinct-person counts of the dashboards then work on a
# bigint. Trainee.import_batch loses its index (nothing looks trainees up by import).
# Going back writes the 60 bits as 15 hex digits: not the old 64-character keys, but keys that
# come forward again to the same integers.

import django.db.models.deletion
from django.db import migrations, models

PERSON_KEY_HEX = 15


def fill_person_numbers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE training_trainee SET person_no = "
            f"('x' || substr(person_key, 1, {PERSON_KEY_HEX}))::bit({4 * PERSON_KEY_HEX})::bigint"
        )
        return
    Trainee = apps.get_model("training", "Trainee")
    batch = []
    for pk, key in Trainee.objects.values_list("pk", "person_key").iterator(chunk_size=2000):
        batch.append(Trainee(pk=pk, person_no=int(key[:PERSON_KEY_HEX], 16)))
        if len(batch) == 2000:
            Trainee.objects.bulk_update(batch, ["person_no"])
            batch = []
    if batch:
        Trainee.objects.bulk_update(batch, ["person_no"])


def keep_hex_keys(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"UPDATE training_trainee SET person_key = lpad(to_hex(person_no), {PERSON_KEY_HEX}, '0')"
        )
        return
    Trainee = apps.get_model("training", "Trainee")
    for pk, number in Trainee.objects.values_list("pk", "person_no").iterator(chunk_size=2000):
        Trainee.objects.filter(pk=pk).update(person_key=f"{number:0{PERSON_KEY_HEX}x}")


class Migration(migrations.Migration):

    dependencies = [
        ('training', '0004_trainee_copy_speed'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='trainee', name='trainee_unique_person_per_session'),
        migrations.AddField(
            model_name='trainee', name='person_no', field=models.BigIntegerField(null=True, editable=False),
        ),
        migrations.RunPython(fill_person_numbers, keep_hex_keys, elidable=False),
        migrations.RemoveField(model_name='trainee', name='person_key'),
        migrations.RenameField(model_name='trainee', old_name='person_no', new_name='person_key'),
        migrations.AlterField(
            model_name='trainee', name='person_key',
            field=models.BigIntegerField(editable=False, verbose_name='人员标识'),
        ),
        migrations.AddConstraint(
            model_name='trainee',
            constraint=models.UniqueConstraint(
                fields=('session', 'person_key'), name='trainee_unique_person_per_session',
                violation_error_message='该学员已在本次培训名单中。',
            ),
        ),
        migrations.AlterField(
            model_name='trainee', name='import_batch',
            field=models.ForeignKey(
                blank=True, db_constraint=False, db_index=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name='trainees',
                to='training.traineeimport', verbose_name='导入批次',
            ),
        ),
    ]
