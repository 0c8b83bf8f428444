from django.apps import AppConfig


class BareConfig(AppConfig):
    """The yardstick of the intake benchmark: a bare DRF create of the same shape."""

    name = "bench.bare"
    label = "bench_bare"
