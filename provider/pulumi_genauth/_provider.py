"""Engine side of ``EmailProvider``: configure / check / diff / create / read / update / delete.

This class is pickled into every resource's ``__provider`` input and unpickled by the
dynamic-provider server, so its import path (``pulumi_genauth._provider.EmailProviderProvider``)
is a contract with existing stacks: never move or rename it. It pickles to nothing but that
reference: credentials arrive later, in ``configure()``, and clients are created on demand.

The server calls one instance from several threads; the client cache is guarded by a lock.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

import pulumi
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

from ._client import GenAuthClient
from ._credentials import (
    CONFIG_ACCESS_KEY_ID,
    CONFIG_ACCESS_KEY_SECRET,
    CONFIG_BRAND,
    CONFIG_HOST,
    CONFIG_POOLS,
    Credentials,
    resolve_credentials,
)
from ._exceptions import ConfigurationError, GenAuthError, PoolMismatchError
from ._validation import (
    POOL_KEY,
    SETTING_KEYS,
    Problem,
    contains_unknown,
    from_live,
    is_unknown,
    normalized,
    to_request,
    validate_props,
)

P = ParamSpec("P")
R = TypeVar("R")

ClientFactory = Callable[[Credentials], GenAuthClient]


def _default_client(credentials: Credentials) -> GenAuthClient:
    return GenAuthClient(
        host=credentials.host,
        access_key_id=credentials.access_key_id,
        access_key_secret=credentials.access_key_secret,
        brand=credentials.brand,
    )


def _without_client_frames(method: Callable[P, R]) -> Callable[P, R]:
    """Let a GenAuth error reach the user as its message, not the client's call stack.

    The SDK's dynamic-provider server prints the traceback of whatever a method raises (it
    cannot be turned off from here); dropping the frames below this one, and any chained
    exception, leaves three frames and then the one line that matters: status, apiCode,
    message and requestId.
    """

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except GenAuthError as error:
            raise error.with_traceback(None) from None

    return wrapper


class EmailProviderProvider(ResourceProvider):
    """Configures a user pool's third-party email service through the management API."""

    def __init__(self) -> None:
        super().__init__()
        self._start_fresh()

    def _start_fresh(self) -> None:
        self._config: dict[str, Any] = {}
        self._environ: Mapping[str, str] = os.environ
        self._clients: dict[str | None, GenAuthClient] = {}
        self._clients_lock = threading.Lock()
        self.client_factory: ClientFactory = _default_client

    # Pickle the class reference and a format version only: no credentials, clients or
    # locks. (The state must not be empty, or unpickling skips __setstate__.)
    def __getstate__(self) -> dict[str, Any]:
        return {"format": 1}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._start_fresh()

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the stack config the credentials are read from (secrets decrypted)."""
        keys = (
            CONFIG_HOST,
            CONFIG_ACCESS_KEY_ID,
            CONFIG_ACCESS_KEY_SECRET,
            CONFIG_POOLS,
            CONFIG_BRAND,
        )
        values = {key: req.config.get(key) for key in keys}
        self._config = {key: value for key, value in values.items() if value}

    # -- preview: no network ---------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs and that credentials are configured; makes no API call."""
        problems = validate_props(news)
        pool = news.get(POOL_KEY)
        if not is_unknown(pool):
            if pool is not None and not isinstance(pool, str):
                problems.append(Problem(POOL_KEY, "must be the name of a genauth:pools entry"))
            else:
                try:
                    resolve_credentials(self._config, self._environ, pool)
                except ConfigurationError as error:
                    problems.append(Problem(POOL_KEY if pool else "", str(error)))
        failures = [CheckFailure(*problem.as_check_failure()) for problem in problems]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the normalised setting, secrets included; a new `pool` is a replacement."""
        replaces = []
        if is_unknown(news.get(POOL_KEY)) or olds.get(POOL_KEY) != news.get(POOL_KEY):
            replaces.append(POOL_KEY)
        if contains_unknown({key: news.get(key) for key in SETTING_KEYS}):
            changed = True
        else:
            try:
                before = normalized(olds)
            except (ValueError, KeyError, TypeError):
                before = None  # an unreadable old state: apply the declared one
            changed = before != normalized(news)
        return DiffResult(
            changes=changed or bool(replaces),
            replaces=replaces,
            stables=[],
            delete_before_replace=False,
        )

    # -- apply --------------------------------------------------------------------------------

    @_without_client_frames
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Adopt the pool's setting: warn about what is overwritten, then apply."""
        client = self._client(props.get(POOL_KEY))
        desired = normalized(props)
        live = client.get_email_provider()
        if live.enabled and from_live(live, desired) != desired:
            pulumi.log.warn(
                f"user pool {client.userpool_id} already sends mail through a third-party "
                f"provider (type {live.type!r}); it is replaced by the declared "
                f"{desired['type']!r} setting"
            )
        client.config_email_provider(to_request(props))
        return CreateResult(client.userpool_id, self._outputs(client.userpool_id, desired, props))

    @_without_client_frames
    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Apply the declared setting and return the full outputs."""
        client = self._client_for(id_, news)
        client.config_email_provider(to_request(news))
        return UpdateResult(self._outputs(id_, normalized(news), news))

    @_without_client_frames
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Fetch the live setting; the refreshed inputs make the next `up` restore drift."""
        client = self._client_for(id_, props)
        live = from_live(client.get_email_provider(), props)
        inputs = {**live, POOL_KEY: props.get(POOL_KEY)}
        return ReadResult(id_, self._outputs(id_, live, props), inputs)

    @_without_client_frames
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Hand the pool back to GenAuth's built-in mail: the API has no delete."""
        client = self._client_for(id_, props)
        try:
            request = to_request({**props, "enabled": False})
        except (ValueError, KeyError, TypeError):
            # The state lacks a complete setting (e.g. read from a pool never configured):
            # whatever is live is left as it is, rather than guessed at.
            pulumi.log.warn(
                f"user pool {id_}: no complete email provider setting in the state; "
                "nothing was disabled"
            )
            return
        client.config_email_provider(request)

    def close(self) -> None:
        """Close the clients' connection pools (the server never does; tests and tools do)."""
        with self._clients_lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    # -- helpers ------------------------------------------------------------------------------

    def _client(self, pool: str | None) -> GenAuthClient:
        with self._clients_lock:
            client = self._clients.get(pool)
            if client is None:
                client = self.client_factory(resolve_credentials(self._config, self._environ, pool))
                self._clients[pool] = client
            return client

    def _client_for(self, id_: str, props: Mapping[str, Any]) -> GenAuthClient:
        """The client for the resource's pool, refusing credentials of another pool."""
        client = self._client(props.get(POOL_KEY))
        if client.userpool_id != id_:
            raise PoolMismatchError(resource_pool_id=id_, credentials_pool_id=client.userpool_id)
        return client

    @staticmethod
    def _outputs(
        userpool_id: str, setting: Mapping[str, Any], props: Mapping[str, Any]
    ) -> dict[str, Any]:
        return {
            "userpool_id": userpool_id,
            **{key: setting.get(key) for key in SETTING_KEYS},
            POOL_KEY: props.get(POOL_KEY),
        }
