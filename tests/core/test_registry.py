"""consortium.registry: the apps fill it, the base layer reads it without naming them."""

from consortium import registry


def test_entries_are_read_in_installed_apps_order_whatever_the_order_they_were_registered_in():
    store = registry.Store("no_such_module")
    store.register("dashboards entry", module="dashboards.navigation")
    store.register("members entry", module="members.navigation")
    store.register("members second entry", module="members.navigation")
    assert list(store.items()) == [
        ("members", "members entry"),
        ("members", "members second entry"),
        ("dashboards", "dashboards entry"),
    ]


def test_each_app_registers_its_menus_api_routes_demo_data_and_panels():
    apps_in_order = ["members", "projects", "training", "dashboards"]
    assert [label for label, _ in registry.api_routes.items()] == apps_in_order
    assert [label for label, _ in registry.demo_seeds.items()] == apps_in_order
    assert [label for label, _ in registry.menus.items()] == apps_in_order
    assert [label for label, _ in registry.panels.items()] == ["projects", "training", "dashboards"]
    assert [label for label, _ in registry.nav_context.items()] == ["members"]
