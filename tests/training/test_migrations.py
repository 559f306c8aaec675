"""Migration 0005: existing 64-character person keys become the integers new imports compute."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from training import imports

BEFORE = [("training", "0004_trainee_copy_speed")]
AFTER = [("training", "0005_trainee_person_key_bigint")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_person_keys_become_the_keys_a_new_import_computes():
    old = migrate(BEFORE)
    try:
        Organization = old.get_model("members", "Organization")
        Session = old.get_model("training", "TrainingSession")
        Trainee = old.get_model("training", "Trainee")
        org = Organization.objects.create(name="兰州石化职业技术大学", credit_code="12620000438000000X", kind="school")
        when = datetime(2025, 6, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
        session = Session.objects.create(
            title="迁移", kind="vocational_skill", provider=org, starts_at=when, ends_at=when, declared_headcount=0
        )
        id_hash = imports.keyed_hash("620102198505050011")
        by_name = imports.keyed_hash("name:张三|phone:13800000000")
        Trainee.objects.create(session=session, name="甲", id_number_hash=id_hash, person_key=id_hash)
        Trainee.objects.create(session=session, name="张三", person_key=by_name)

        new = migrate(AFTER)
        keys = dict(new.get_model("training", "Trainee").objects.values_list("name", "person_key"))
        assert keys == {
            "甲": imports.person_key_for(id_hash, "", ""),
            "张三": imports.person_key_for("", "张三", "13800000000"),
        }
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
