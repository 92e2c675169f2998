"""Marshmallow schemas of the API, one module per resource family, all on one base schema.

``engine`` (deployments, processes, instances, tasks, users, audit), ``congress``, ``contracts``,
``disclosures``, ``notifications``. Fields keep their declaration order (marshmallow 4 always does; no
``ordered`` option).
"""

from __future__ import annotations

from marshmallow import Schema as _MarshmallowSchema


class Schema(_MarshmallowSchema):
    """The base of every request and response body: unknown fields are refused (marshmallow's default)."""
