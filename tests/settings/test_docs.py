"""`.env.example` and the README's table list every setting, as generated from the code."""

from settings import PROJECT_DIR
from settings.docs import env_example, readme_table, variables


def test_env_example_is_up_to_date():
    assert (PROJECT_DIR / ".env.example").read_text() == env_example(), (
        "run `.venv/bin/python -m settings.docs`"
    )


def test_readme_table_is_up_to_date():
    assert readme_table() in (PROJECT_DIR / "README.md").read_text(), (
        "run `.venv/bin/python -m settings.docs`"
    )


def test_every_variable_has_a_description():
    assert all(description for _, _, _, description in variables())


def test_no_secret_has_a_default_value():
    for name, value, _, _ in variables():
        if any(word in name for word in ("SECRET", "TOKEN", "PASSWORD")):
            assert value == "", name
