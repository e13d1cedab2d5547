"""The native provider's methods: configure, check, diff, create, read, update, delete.

One plugin process serves one provider: the default one (configured from the stack's
``genauth:`` config) or an explicit ``genauth:Provider`` resource, so one set of credentials,
one user pool and one API client per process. The rules, the wire contract and what each
lifecycle step does are the core's (``_validation``, ``_lifecycle``); this module translates
the engine's requests for them.

The methods are coroutines; the core is synchronous, so each call that talks to GenAuth runs
on a thread of this provider's own pool, sized so that the engine's parallelism (not a small
default pool) bounds how many pools are applied at once.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime import rpc

from .._claims import PoolClaims
from .._credentials import Credentials, resolve_credentials, unknown_key_message
from .._exceptions import (
    NATIVE_PROVIDER_KEYS,
    ConfigurationError,
    MissingCredentialsError,
)
from .._fields import APPLIED_KEY, KEY_ID_KEY, POOL_KEY, SECRET_FIELD_BY_CONFIG
from .._pool_clients import ClientFactory, PoolClients, default_client
from . import _properties as names
from ._schema import PROVIDER_CONFIG_KEYS, RESOURCE_INPUTS, STATE_KEYS, schema_text

if TYPE_CHECKING:
    from .._client import GenAuthClient

P = ParamSpec("P")
T = TypeVar("T")
Log = Callable[[str, str], None]
"""Shows a warning to the user: (resource URN, message)."""

MISSING_CREDENTIALS: Final = (
    "GenAuth credentials are missing: set the provider's accessKeyId and accessKeySecret (the "
    "properties of an explicit genauth provider; genauth:accessKeyId and --secret "
    "genauth:accessKeySecret in the stack config for the default one), or $GENAUTH_ACCESS_KEY_ID "
    "and $GENAUTH_ACCESS_KEY_SECRET. `pulumi import` through an explicit provider needs that "
    "provider in the state first: `pulumi up --target <its URN>`"
)
# What an imported secret (never read back) counts as while an import checks its inputs.
UNREAD_SECRET: Final = "(not read back)"  # noqa: S105 - not a secret
# Threads for calls to GenAuth: the engine's own parallelism is what limits a deployment.
API_THREADS: Final = 64
# Provider inputs that are not this provider's to refuse: the engine adds the first two, and
# genauth:pools is the dynamic resource's (a stack moving from it may hold both).
_OTHER_PROVIDER_KEYS: Final = frozenset({"version", "pluginDownloadURL", "pools"})


def _stderr_log(urn: str, message: str) -> None:
    print(f"warning: {urn}: {message}", file=sys.stderr, flush=True)


class GenAuthProvider(Provider):
    """``genauth:index:EmailProvider``: a user pool's third-party email service."""

    def __init__(
        self,
        *,
        log: Log = _stderr_log,
        note: Log = _stderr_log,
        environ: Mapping[str, str] = os.environ,
        client_factory: ClientFactory = default_client,
    ) -> None:
        self._log = log
        self._note = note
        self._environ = environ
        self._client_factory = client_factory
        self._config: dict[str, str] = {}
        self._config_pending = False  # a value of the provider config is not known yet
        self._clients = PoolClients()  # one: this provider's
        self._claims = PoolClaims()
        self._threads = ThreadPoolExecutor(API_THREADS, thread_name_prefix="genauth-api")

    # -- provider configuration ----------------------------------------------------------------

    async def get_schema(self, _request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema=schema_text())

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """Refuse provider keys that do not exist (a typo would silently fall back)."""
        failures = [
            CheckFailure("", unknown_key_message("genauth:", key, PROVIDER_CONFIG_KEYS))
            for key in request.new_inputs
            if key not in PROVIDER_CONFIG_KEYS and key not in _OTHER_PROVIDER_KEYS
        ]
        return CheckResponse(inputs=request.new_inputs, failures=failures)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Keep the credentials; the client is made at the first call to GenAuth."""
        known = {
            key: value.value
            for key, value in request.args.items()
            if key in PROVIDER_CONFIG_KEYS and isinstance(value.value, str) and value.value
        }
        # A provider config made from another resource's output is not known in a preview:
        # the credentials are checked when it is (the apply configures the plugin again).
        self._config_pending = any(value == rpc.UNKNOWN for value in known.values())
        self._config = {
            f"genauth:{key}": value for key, value in known.items() if value != rpc.UNKNOWN
        }
        # No Create/Update calls in a preview: a preview makes no API call.
        return ConfigureResponse(accept_secrets=True, supports_preview=False)

    # -- preview: no network --------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        """Validate the inputs and that credentials are configured; makes no API call."""
        from .._validation import Problem, validate_props  # noqa: PLC0415 - see _provider

        props = names.to_core(request.new_inputs)
        if request.old_inputs and request.old_inputs == request.new_inputs:
            # `pulumi import` checks the inputs Read returned (as old and new inputs alike),
            # whose secret the service never shows: not the program's fault, nor ours.
            props = _unread_secrets_filled(props)
        problems = [
            Problem(key, "is not a property of EmailProvider")
            for key in request.new_inputs
            if key not in RESOURCE_INPUTS
        ]
        problems.extend(validate_props(props))
        inputs = names.with_secrets_marked(request.new_inputs)
        try:
            if not self._config_pending:
                credentials = self._credentials()
                # Recorded at apply: a new key previews as an update (see _fields).
                inputs[names.camel(KEY_ID_KEY)] = PropertyValue(credentials.access_key_id)
        except ConfigurationError as error:
            problems.append(Problem("", str(error)))
        spelled = names.user_names(request.new_inputs)
        failures = []
        for problem in problems:
            prop, reason = problem.as_check_failure()
            failures.append(CheckFailure(names.camel(prop), names.respell(reason, spelled)))
        return CheckResponse(inputs=inputs, failures=failures)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        """Which fields change, by path (a rotated secret shows as its field); never replaces."""
        from .._changes import resource_changes  # noqa: PLC0415 - see _provider

        olds = names.to_core(request.old_state)
        news = names.to_core(request.new_inputs)
        detailed = {
            # The engine's kinds are named as ours are (ADD, DELETE, UPDATE).
            ".".join(names.camel(part) for part in path): PropertyDiff(
                PropertyDiffKind[change.name], input_diff=True
            )
            for path, change in resource_changes(olds, news).items()
        }
        # A state the dynamic resource wrote (a stack moving here with an alias): the same
        # setting, but its outputs are rewritten in this provider's shape by an update.
        for key in request.old_state:
            if key not in STATE_KEYS:
                detailed[key] = PropertyDiff(PropertyDiffKind.DELETE, input_diff=False)
        return DiffResponse(changes=bool(detailed), detailed_diff=detailed)

    # -- apply ----------------------------------------------------------------------------------

    async def create(self, request: CreateRequest) -> CreateResponse:
        """Adopt the pool's setting: warn (under the resource) about what is overwritten."""
        from .. import _lifecycle  # noqa: PLC0415 - apply time only

        props = names.to_core(request.properties)
        client = await self._call(request.urn, self._pool_client)
        outputs = await self._call(
            request.urn, _lifecycle.adopt, client, props, self._claims, self._warner(request.urn)
        )
        return CreateResponse(resource_id=client.userpool_id, properties=_outputs(outputs))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        """Apply the declared setting and return the full outputs."""
        from .. import _lifecycle  # noqa: PLC0415

        client = await self._call(request.urn, self._client_for, request.resource_id)
        props = names.to_core(request.news)
        outputs = await self._call(request.urn, _lifecycle.apply, client, props, self._claims)
        return UpdateResponse(properties=_outputs(outputs))

    async def read(self, request: ReadRequest) -> ReadResponse:
        """The live setting (refresh, and `pulumi import`, which knows only the pool id)."""
        from .. import _lifecycle  # noqa: PLC0415
        from .._setting import public_setting  # noqa: PLC0415

        client = await self._call(request.urn, self._client_for, request.resource_id)
        props = names.to_core(request.properties)
        outputs, inputs = await self._call(request.urn, _lifecycle.refresh, client, props)
        if not request.properties:
            # An import: the live setting is what the resource now owns.
            outputs[APPLIED_KEY] = public_setting(inputs)
        declared = {
            key: value for key, value in inputs.items() if value is not None and key != POOL_KEY
        }
        return ReadResponse(
            resource_id=request.resource_id,
            properties=_outputs(outputs),
            inputs=names.to_engine(declared),
        )

    async def delete(self, request: DeleteRequest) -> None:
        """Hand the pool back to GenAuth's built-in mail, if its setting is still this one."""
        from .. import _lifecycle  # noqa: PLC0415

        client = await self._call(request.urn, self._client_for, request.resource_id)
        props = names.to_core(request.properties)
        await self._call(
            request.urn,
            _lifecycle.release,
            client,
            props,
            self._claims,
            self._warner(request.urn),
        )

    # -- helpers --------------------------------------------------------------------------------

    async def _call(
        self, urn: str, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``function`` on an API thread; its retries are told under the resource ``urn``."""
        loop = asyncio.get_running_loop()
        call = functools.partial(function, *args, **kwargs)
        return await loop.run_in_executor(self._threads, self._telling_retries, urn, call)

    def _telling_retries(self, urn: str, call: Callable[[], T]) -> T:
        from .._client import retries_told_to  # noqa: PLC0415 - at first call

        with retries_told_to(functools.partial(self._note, urn)):
            return call()

    def _pool_client(self) -> GenAuthClient:
        return self._clients.get(None, self._make_client)

    def _make_client(self) -> GenAuthClient:
        return self._client_factory(self._credentials())

    def _credentials(self) -> Credentials:
        """The provider's access key; missing, a message in this provider's own terms."""
        try:
            return resolve_credentials(self._config, self._environ, None)
        except MissingCredentialsError:
            raise ConfigurationError(MISSING_CREDENTIALS) from None

    def _client_for(self, resource_id: str) -> GenAuthClient:
        """The client, refusing credentials of a pool other than the resource's."""
        return self._clients.for_resource(
            None, self._make_client, resource_id, NATIVE_PROVIDER_KEYS
        )

    def _warner(self, urn: str) -> Callable[[str], None]:
        """Warnings under the resource ``urn``, the core's names spelled as programs write them."""

        def warn(message: str) -> None:
            self._log(urn, names.respell(message))

        return warn

    def close(self) -> None:
        """Close the client's connections and the thread pool (tests and tools)."""
        self._clients.close()
        self._threads.shutdown(wait=False)


def _unread_secrets_filled(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with each config's secret that is there but unread (null) filled, to check."""
    filled = dict(props)
    for name, secret in SECRET_FIELD_BY_CONFIG.items():
        config = props.get(name)
        if isinstance(config, Mapping) and secret in config and config[secret] is None:
            filled[name] = {**config, secret: UNREAD_SECRET}
    return filled


def _outputs(outputs: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """The outputs for the engine: no `pool` (explicit providers pick the pool here)."""
    return names.to_engine({key: value for key, value in outputs.items() if key != POOL_KEY})


__all__ = ["API_THREADS", "GenAuthProvider"]
