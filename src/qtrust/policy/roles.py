"""The roles a project's people hold and a release policy names for sign-off.

Defined in the policy layer because a policy names them (who must approve a release) before any person
exists; the governance roster (:mod:`qtrust.governance.people`) assigns them to people.
"""

from __future__ import annotations

from typing import Literal

Role = Literal["owner", "researcher", "reviewer", "approver", "legal", "auditor"]
ROLES: tuple[str, ...] = Role.__args__
