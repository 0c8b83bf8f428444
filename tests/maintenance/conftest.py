from tests.incidents.conftest import demo, make_incident  # noqa: F401 - the same fixtures
