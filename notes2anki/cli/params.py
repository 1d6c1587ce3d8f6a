"""Option types shared by the commands."""
from __future__ import annotations

import math

import click


class NumberRange(click.FloatRange):
    """``click.FloatRange`` that also refuses ``nan`` (every comparison with nan is false, so a plain
    FloatRange lets it through, and a threshold of nan then fails deep inside or silently matches nothing)."""

    def convert(self, value, param, ctx):
        """The float ``value`` within the range; fails (a usage error, exit 2) on nan as on any bad number."""
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number.", param, ctx)
        return number
