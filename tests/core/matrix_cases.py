from tests.matrix import Case, page

CASES = [
    page("home", expert=200),
    Case("login", expect={"anonymous": 200, "staff": 302, "member": 302}),
    Case("logout", method="post", expect={"anonymous": 302, "staff": 302, "leadership": 302, "member": 302}),
    Case("password_change", expect={"anonymous": 302, "staff": 200, "leadership": 200, "member": 200}),
    # The schema and its docs are for signed-in users only.
    Case("api_schema", expect={"anonymous": 401, "staff": 200, "leadership": 200, "member": 200}),
    Case("api_docs", expect={"anonymous": 302, "staff": 200, "leadership": 200, "member": 200}),
    Case(
        "api_token",
        method="post",
        api=True,
        data=lambda w: {"username": "member", "password": "wrong"},
        expect={"anonymous": 400},
    ),
]
