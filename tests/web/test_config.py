"""Settings: defaults, NELMKG_* variables, then test_config; bad values name the variable."""

import pytest

from nelmkg.web import settings


def test_defaults():
    values = settings.load(environ={})
    assert values["QUERY_TIMEOUT"] == 10.0
    assert values["MAX_ROWS"] == 10_000
    assert values["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    assert values["MAX_FORM_MEMORY_SIZE"] == values["MAX_CONTENT_LENGTH"]
    assert values["CORS"] == "off"
    assert values["DATA_FILES"] == ()
    assert values["ACCESS_LOG"] is True


def test_environment_and_overrides():
    env = {
        "NELMKG_QUERY_TIMEOUT": "2.5",
        "NELMKG_MAX_ROWS": "5",
        "NELMKG_CORS": "*",
        "NELMKG_DATA": "a.ttl:b.nq",
        "NELMKG_ACCESS_LOG": "off",
        "NELMKG_MAX_BODY": "100",
    }
    values = settings.load({"MAX_ROWS": 7}, environ=env)
    assert values["QUERY_TIMEOUT"] == 2.5
    assert values["MAX_ROWS"] == 7
    assert values["CORS"] == "*"
    assert [p.name for p in values["DATA_FILES"]] == ["a.ttl", "b.nq"]
    assert values["ACCESS_LOG"] is False
    assert values["MAX_CONTENT_LENGTH"] == values["MAX_FORM_MEMORY_SIZE"] == 100


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NELMKG_QUERY_TIMEOUT", "0"),
        ("NELMKG_QUERY_TIMEOUT", "soon"),
        ("NELMKG_MAX_ROWS", "-1"),
        ("NELMKG_CORS", "https://example.org"),
        ("NELMKG_ACCESS_LOG", "maybe"),
        ("NELMKG_MAX_BODY", "5MB"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(settings.ConfigError, match=name):
        settings.load(environ={name: value})


def test_server_settings():
    values = settings.from_env(settings.SERVER_SETTINGS, {"NELMKG_PORT": "9000"})
    assert values["PORT"] == 9000 and values["HOST"] == "127.0.0.1" and values["WORKERS"] >= 1
