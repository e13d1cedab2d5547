"""Engine side of ``EmailProvider``: configure / check / diff / create / read / update / delete.

This class is pickled into every resource's ``__provider`` input and unpickled by the
dynamic-provider server, so its import path (``pulumi_genauth._provider.EmailProviderProvider``)
is a contract with existing stacks: never move or rename it. It pickles to nothing but that
reference: credentials arrive later, in ``configure()``, and clients are created on demand.

The server calls one instance from several threads; each pool's client is made once
(``_pool_clients``).

Start-up is paid twice per preview (in the program and in the plugin), so this module imports
only what pickling and configure need: the rules (``_validation``, plain Python: a preview
needs no pydantic) are imported at the first check, the diff's (``_changes``) at the first
diff, and the HTTP client (httpx, tenacity, PyJWT) and the wire models (pydantic) at the first
call that talks to GenAuth.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

from . import _dynamic_server
from ._claims import DEPLOYMENT_CLAIMS, PoolClaims
from ._constants import UNKNOWN
from ._credentials import (
    CONFIG_KEYS,
    resolve_credentials,
    unknown_config_keys,
    unknown_key_message,
)
from ._exceptions import DYNAMIC_RESOURCE_KEYS, ConfigurationError
from ._fields import KEY_ID_KEY, POOL_KEY
from ._pool_clients import ClientFactory, PoolClients, default_client

if TYPE_CHECKING:
    from ._client import GenAuthClient
    from ._validation import Problem


def _wire_unknowns(value: Any) -> Any:
    """``value`` with the SDK's ``Unknown`` objects as the wire's sentinel, which the core knows.

    (The server serializes either back to the engine as the same sentinel.)
    """
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {key: _wire_unknowns(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_wire_unknowns(item) for item in value]
    return value


def _retries_told() -> AbstractContextManager[None]:
    """Retries of the calls in this block are told under the resource (``_dynamic_server``)."""
    from ._client import retries_told_to

    return retries_told_to(_dynamic_server.note)


class EmailProviderProvider(ResourceProvider):
    """Configures a user pool's third-party email service through the management API."""

    def __init__(self) -> None:
        super().__init__()
        self._start_fresh()

    def _start_fresh(self) -> None:
        self._config: dict[str, Any] = {}
        self._environ: Mapping[str, str] = os.environ
        self._clients = PoolClients()
        self._unknown_config_keys: list[str] = []
        self.client_factory: ClientFactory = default_client
        self.claims: PoolClaims = DEPLOYMENT_CLAIMS

    # Pickle the class reference and a format version only: no credentials, clients or
    # locks. (The state must not be empty, or unpickling skips __setstate__.)
    def __getstate__(self) -> dict[str, Any]:
        return {"format": 1}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._start_fresh()

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the stack config the credentials are read from (secrets decrypted).

        Called once per plugin process, which is also where failures are made to read as
        one line and diffs to name their fields (``_dynamic_server``).
        """
        _dynamic_server.install()
        values = {key: req.config.get(key) for key in CONFIG_KEYS}
        self._config = {key: value for key, value in values.items() if value}
        # The SDK's Config has no public way to list its keys; the raw bag is its only field.
        raw: Mapping[str, Any] = getattr(req.config, "_props", {}) or {}
        self._unknown_config_keys = unknown_config_keys(raw)

    # -- preview: no network ---------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs and that credentials are configured; makes no API call."""
        from ._validation import Problem, is_unknown, validate_props

        news = _wire_unknowns(news)
        problems = validate_props(news)
        checked = {key: value for key, value in news.items() if key != KEY_ID_KEY}
        pool = news.get(POOL_KEY)
        if not is_unknown(pool):
            if pool is not None and not isinstance(pool, str):
                problems.append(Problem(POOL_KEY, "must be the name of a genauth:pools entry"))
            else:
                try:
                    credentials = resolve_credentials(self._config, self._environ, pool)
                except ConfigurationError as error:
                    # The message names the pool entry (or the stack key) it is about.
                    problems.append(Problem("", str(error)))
                else:
                    checked[KEY_ID_KEY] = credentials.access_key_id
        problems.extend(self._unknown_key_problems())
        failures = [CheckFailure(*problem.as_check_failure()) for problem in problems]
        return CheckResult(checked, failures)

    def _unknown_key_problems(self) -> list[Problem]:
        from ._validation import Problem

        return [
            Problem("", unknown_key_message("", key, CONFIG_KEYS))
            for key in self._unknown_config_keys
        ]

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Name every field that changes, secrets included; a new `pool` is a replacement.

        The paths go to the engine as a detailed diff (``_dynamic_server``), so that
        ``preview --diff`` shows a rotated secret as ``[secret] => [secret]`` and nothing that
        does not change (``verify_smtp`` alone, the outputs' bookkeeping) as a change.
        """
        from ._changes import Change, resource_changes

        olds, news = _wire_unknowns(olds), _wire_unknowns(news)
        paths = {".".join(path): change for path, change in resource_changes(olds, news).items()}
        # A pool not known yet (a preview) differs from every old one, so it replaces too.
        replaces = [POOL_KEY] if olds.get(POOL_KEY) != news.get(POOL_KEY) else []
        if replaces:
            paths[POOL_KEY] = Change.UPDATE
        _dynamic_server.leave_detailed_diff(paths, replaces)
        # No stables (the dynamic-provider server drops them) and no delete_before_replace:
        # a new pool is configured before the old one is handed back.
        return DiffResult(changes=bool(paths), replaces=replaces)

    # -- apply --------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Adopt the pool's setting: warn about what is overwritten, then apply."""
        # Imported here, not at the top, so that preview (check/diff) never loads them.
        from . import _lifecycle

        with _retries_told():
            client = self._client(props.get(POOL_KEY))
            outputs = _lifecycle.adopt(client, props, self.claims, _dynamic_server.warn)
        return CreateResult(client.userpool_id, outputs)

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Apply the declared setting and return the full outputs."""
        from . import _lifecycle

        with _retries_told():
            return UpdateResult(_lifecycle.apply(self._client_for(id_, news), news, self.claims))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Fetch the live setting; the refreshed inputs make the next `up` restore drift."""
        from . import _lifecycle

        with _retries_told():
            outputs, inputs = _lifecycle.refresh(self._client_for(id_, props), props)
        return ReadResult(id_, outputs, inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Hand the pool back to GenAuth's built-in mail, if its setting is still this one."""
        from . import _lifecycle

        with _retries_told():
            client = self._client_for(id_, props)
            _lifecycle.release(client, props, self.claims, _dynamic_server.warn)

    def close(self) -> None:
        """Close the clients' connection pools (the server never does; tests and tools do)."""
        self._clients.close()

    # -- helpers ------------------------------------------------------------------------------

    def _client(self, pool: str | None) -> GenAuthClient:
        return self._clients.get(pool, lambda: self._make_client(pool))

    def _client_for(self, id_: str, props: Mapping[str, Any]) -> GenAuthClient:
        """The client for the resource's pool, refusing credentials of another pool."""
        pool = props.get(POOL_KEY)
        return self._clients.for_resource(
            pool, lambda: self._make_client(pool), id_, DYNAMIC_RESOURCE_KEYS
        )

    def _make_client(self, pool: str | None) -> GenAuthClient:
        return self.client_factory(resolve_credentials(self._config, self._environ, pool))
