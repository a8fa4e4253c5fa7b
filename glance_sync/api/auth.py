"""Who is calling, and may they: identity from keystonemiddleware, rules
from oslo.policy.

keystonemiddleware's ``auth_token`` runs in front of the API with
``delay_auth_decision``: it validates the token and sets the
``X-Identity-Status`` and ``X-Roles``/``X-Project-Id``… headers, and the
API itself answers 401 in its own JSON format (keystonemiddleware adds the
``WWW-Authenticate`` header). Public endpoints (the version document)
thus work without a token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import webob
from oslo_config import cfg
from oslo_context import context as oslo_context
from oslo_policy import policy

from glance_sync.api import errors, policies

__all__ = ['Authorizer', 'make_enforcer']


def make_enforcer(conf: cfg.ConfigOpts) -> policy.Enforcer:
    """An enforcer with the rules of :mod:`glance_sync.api.policies`.

    The policy file (``[oslo_policy] policy_file``) is optional: without
    it the defaults apply.
    """
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    return enforcer


class Authorizer:
    """Checks that a request is authenticated and allowed by the policy.

    Thread-safe: the enforcer reloads its file under its own lock.

    :param enforcer: the policy enforcer.
    """

    def __init__(self, enforcer: policy.Enforcer) -> None:
        self.enforcer = enforcer

    def authorize(self, request: webob.Request, rule: str,
                  target: Mapping[str, Any]) -> oslo_context.RequestContext:
        """The caller's context, once identity and policy are checked.

        :param rule: the policy rule to enforce.
        :param target: the resource (route parameters).
        :raises Unauthorized: no token, or Keystone did not accept it.
        :raises Forbidden: the policy does not allow it.
        """
        _check_identity(request)
        context = oslo_context.RequestContext.from_environ(request.environ)
        values = dict(target, project_id=context.project_id)
        try:
            self.enforcer.authorize(rule, values, context, do_raise=True)
        except (policy.PolicyNotAuthorized, policy.InvalidScope) as exc:
            raise errors.Forbidden(rule=rule) from exc
        return context


def _check_identity(request: webob.Request) -> None:
    """:raises Unauthorized: the request has no valid token."""
    if request.headers.get('X-Identity-Status') == 'Confirmed':
        return
    if not request.headers.get('X-Auth-Token'):
        raise errors.Unauthorized(reason='no X-Auth-Token header')
    raise errors.Unauthorized(reason='the token is not valid or has '
                              'expired')
