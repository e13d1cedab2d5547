"""The native provider's methods: configure, check, diff, create, read, update, delete.

One plugin process serves one provider: the default one (configured from the stack's
``genauth:`` config) or an explicit ``genauth:Provider`` resource. A provider holds one set of
credentials (``accessKeyId``/``accessKeySecret``), or several named ones (``pools``, as the
dynamic resource's ``genauth:pools``), which resources pick with their ``pool`` input: then one
plugin process serves a stack of many user pools. One API client per set of credentials.
The rules, the wire contract and what each lifecycle step does are the core's
(``_validation``, ``_lifecycle``); this module translates the engine's requests for them.

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

from .._claims import PoolClaims
from .._credentials import (
    PROVIDER_POOLS,
    STACK_POOLS,
    Credentials,
    PoolsPlace,
    explicit_provider_pools,
    pool_names,
    resolve_credentials,
    unknown_key_message,
)
from .._exceptions import (
    NATIVE_PROVIDER_KEYS,
    ConfigurationError,
    MissingCredentialsError,
)
from .._fields import APPLIED_KEY, KEY_ID_KEY, POOL_KEY, SECRET_FIELD_BY_CONFIG
from .._pool_clients import ClientFactory, PoolClients, default_client
from . import _properties as names
from ._protocol import (
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
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from ._schema import PROVIDER_CONFIG_KEYS, RESOURCE_INPUTS, STATE_KEYS, schema_text
from ._values import PropertyValue, holds_unknown, plain

if TYPE_CHECKING:
    from .._client import GenAuthClient

P = ParamSpec("P")
T = TypeVar("T")
Log = Callable[[str, str], None]
"""Shows a warning to the user: (resource URN, message)."""

# Missing keys, for a provider that may be the default one or an explicit one.
MISSING_CREDENTIALS: Final = (
    "GenAuth credentials are missing: set the provider's accessKeyId and accessKeySecret (the "
    "properties of an explicit genauth provider; genauth:accessKeyId and --secret "
    "genauth:accessKeySecret in the stack config for the default one), or $GENAUTH_ACCESS_KEY_ID "
    "and $GENAUTH_ACCESS_KEY_SECRET"
)
# What an import (a Read that knows the id alone) adds to a message about missing keys.
IMPORT_ADVICE: Final = (
    "; `pulumi import` through an explicit provider needs that provider in the state first: "
    "`pulumi up --target <its URN>`"
)
# What an imported secret (never read back) counts as while an import checks its inputs.
UNREAD_SECRET: Final = "(not read back)"  # noqa: S105 - not a secret
# Threads for calls to GenAuth: the engine's own parallelism is what limits a deployment.
API_THREADS: Final = 64
# Provider inputs that are not this provider's to refuse: the engine adds them.
_OTHER_PROVIDER_KEYS: Final = frozenset({"version", "pluginDownloadURL"})
# The engine names its default providers so (pulumi/pulumi v3.274.1,
# sdk/go/common/providers/reference.go, IsDefaultProvider); any other name is an explicit
# provider's.
_DEFAULT_PROVIDER_PREFIX: Final = "default"


def _stderr_log(urn: str, message: str) -> None:
    print(f"warning: {urn}: {message}", file=sys.stderr, flush=True)


class GenAuthProvider:
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
        self._config: dict[str, Any] = {}
        self._config_pending = False  # a value of the provider config is not known yet
        self._place = PROVIDER_POOLS  # where messages say the pools are (see configure)
        self._missing: str | None = MISSING_CREDENTIALS  # None: the core's message
        self._clients = PoolClients()  # by pool entry; None: the provider's own keys
        self._claims = PoolClaims()
        self._threads = ThreadPoolExecutor(API_THREADS, thread_name_prefix="genauth-api")

    # -- provider configuration ----------------------------------------------------------------

    async def get_schema(self, _request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema=schema_text())

    async def diff_config(self, request: DiffRequest) -> DiffResponse:
        """Which paths of the provider's config change (an entry of ``pools``, or a value of
        one, by its path); a change never replaces the provider."""
        from ._config import config_changes  # noqa: PLC0415 - see diff

        detailed = {
            # The engine's kinds are named as ours are (ADD, DELETE, UPDATE).
            path: PropertyDiff(PropertyDiffKind[change.name], input_diff=True)
            for path, change in config_changes(request.old_state, request.new_inputs).items()
        }
        return DiffResponse(changes=bool(detailed), detailed_diff=detailed)

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """Refuse provider keys that do not exist (a typo would silently fall back), and keep
        the keys' secrets secret, whatever the program passed (``pools`` holds them nested,
        where no SDK marks them): see ``_config``."""
        from ._config import with_secrets_marked  # noqa: PLC0415 - see diff

        place = _pools_place(request.urn)
        prefix = "genauth:" if place.in_stack_config else ""
        failures = [
            CheckFailure("", unknown_key_message(prefix, key, PROVIDER_CONFIG_KEYS, place.key_kind))
            for key in request.new_inputs
            if key not in PROVIDER_CONFIG_KEYS and key not in _OTHER_PROVIDER_KEYS
        ]
        # What the program made secret stays so (the engine sends no secret flag here, and
        # marks the result as the program's inputs were; another caller may send them).
        inputs = names.secret_like(with_secrets_marked(request.new_inputs), request.new_inputs)
        return CheckResponse(inputs=inputs, failures=failures)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Keep the credentials; the client is made at the first call to GenAuth."""
        known = {
            key: plain(value)
            for key, value in request.args.items()
            if key in PROVIDER_CONFIG_KEYS and value.value not in (None, "")
        }
        # A provider config made from another resource's output is not known in a preview:
        # the credentials are checked when it is (the apply configures the plugin again).
        self._config_pending = any(holds_unknown(value) for value in known.values())
        self._config = {
            f"genauth:{key}": value for key, value in known.items() if not holds_unknown(value)
        }
        # Messages name the provider's config as the program wrote it: its own properties, or
        # the stack config (the default provider).
        self._place = _pools_place(request.urn)
        self._missing = _missing_credentials(request.urn)
        # No Create/Update calls in a preview: a preview makes no API call.
        return ConfigureResponse(accept_secrets=True, supports_preview=False)

    # -- preview: no network --------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        """Validate the inputs and that credentials are configured; makes no API call."""
        from .._validation import Problem, is_unknown, validate_props  # noqa: PLC0415

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
        pool = props.get(POOL_KEY)
        if pool is not None and not isinstance(pool, str):
            problems.append(
                Problem(POOL_KEY, f"must name an entry of the provider's pools (got {pool!r})")
            )
        elif not self._config_pending and not is_unknown(pool):
            try:
                credentials = self._credentials(pool)
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
        """Which fields change, by path (a rotated secret shows as its field).

        Only another ``pool`` replaces: it is another user pool's setting, configured before
        the old pool is handed back.
        """
        from .._changes import resource_changes  # noqa: PLC0415 - at first diff: start-up stays small

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
        # A pool not known yet (a preview) differs from every old one, so it replaces too.
        replaces = [POOL_KEY] if olds.get(POOL_KEY) != news.get(POOL_KEY) else []
        if replaces:
            detailed[POOL_KEY] = PropertyDiff(PropertyDiffKind.UPDATE_REPLACE, input_diff=True)
        return DiffResponse(changes=bool(detailed), detailed_diff=detailed, replaces=replaces)

    # -- apply ----------------------------------------------------------------------------------

    async def create(self, request: CreateRequest) -> CreateResponse:
        """Adopt the pool's setting: warn (under the resource) about what is overwritten."""
        from .. import _lifecycle  # noqa: PLC0415 - apply time only

        props = names.to_core(request.properties)
        client = await self._call(request.urn, self._pool_client, props.get(POOL_KEY))
        outputs = await self._call(
            request.urn, _lifecycle.adopt, client, props, self._claims, self._warner(request.urn)
        )
        return CreateResponse(
            resource_id=client.userpool_id,
            properties=names.secret_like(_outputs(outputs), request.properties),
        )

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        """Apply the declared setting and return the full outputs."""
        from .. import _lifecycle  # noqa: PLC0415

        props = names.to_core(request.news)
        client = await self._call(
            request.urn, self._client_for, request.resource_id, props.get(POOL_KEY)
        )
        outputs = await self._call(request.urn, _lifecycle.apply, client, props, self._claims)
        return UpdateResponse(properties=names.secret_like(_outputs(outputs), request.news))

    async def read(self, request: ReadRequest) -> ReadResponse:
        """The live setting (refresh, and `pulumi import`, which knows only the pool id)."""
        from .. import _lifecycle  # noqa: PLC0415
        from .._setting import public_setting  # noqa: PLC0415

        props = names.to_core(request.properties)
        importing = not request.properties
        if importing:
            # An import knows the pool id only: the pool entry is the one whose keys open it.
            pool = await self._call(request.urn, self._pool_of, request.resource_id)
            props = {POOL_KEY: pool} if pool is not None else {}
        client = await self._call(
            request.urn,
            self._client_for,
            request.resource_id,
            props.get(POOL_KEY),
            importing=importing,
        )
        outputs, inputs = await self._call(request.urn, _lifecycle.refresh, client, props)
        if importing:
            # An import: the live setting is what the resource now owns.
            outputs[APPLIED_KEY] = public_setting(inputs)
        declared = {key: value for key, value in inputs.items() if value is not None}
        # What the program made secret stays secret in what a refresh reads back.
        return ReadResponse(
            resource_id=request.resource_id,
            properties=names.secret_like(_outputs(outputs), request.properties),
            inputs=names.secret_like(names.to_engine(declared), request.inputs),
        )

    async def delete(self, request: DeleteRequest) -> None:
        """Hand the pool back to GenAuth's built-in mail, if its setting is still this one."""
        from .. import _lifecycle  # noqa: PLC0415

        props = names.to_core(request.properties)
        client = await self._call(
            request.urn, self._client_for, request.resource_id, props.get(POOL_KEY)
        )
        await self._call(
            request.urn,
            _lifecycle.release,
            client,
            props,
            self._claims,
            self._warner(request.urn),
            # A warning quotes a value only where the program did not make it secret.
            names.not_secret_in(request.properties),
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

    def _pool_client(self, pool: str | None = None) -> GenAuthClient:
        return self._clients.get(pool, functools.partial(self._make_client, pool))

    def _make_client(self, pool: str | None, *, importing: bool = False) -> GenAuthClient:
        return self._client_factory(self._credentials(pool, importing=importing))

    def _credentials(self, pool: str | None, *, importing: bool = False) -> Credentials:
        """The keys of the pool entry ``pool`` (None: the provider's own); missing, a message
        in this provider's own terms (``importing``: with what an import needs first)."""
        try:
            return resolve_credentials(self._config, self._environ, pool, self._place)
        except MissingCredentialsError as error:
            message = str(error) if self._missing is None else self._missing
            raise ConfigurationError(message + (IMPORT_ADVICE if importing else "")) from None

    def _client_for(
        self, resource_id: str, pool: str | None, *, importing: bool = False
    ) -> GenAuthClient:
        """The client, refusing credentials of a pool other than the resource's."""
        make = functools.partial(self._make_client, pool, importing=importing)
        return self._clients.for_resource(pool, make, resource_id, NATIVE_PROVIDER_KEYS)

    def _pool_of(self, resource_id: str) -> str | None:
        """The pool entry whose keys open user pool ``resource_id`` (an import); None for the
        provider's own keys, and for a provider without pools (its keys are then checked)."""
        for pool in pool_names(self._config):
            if self._pool_client(pool).userpool_id == resource_id:
                return pool
        return None

    def _warner(self, urn: str) -> Callable[[str], None]:
        """Warnings under the resource ``urn``, the core's names spelled as programs write them."""

        def warn(message: str) -> None:
            self._log(urn, names.respell(message))

        return warn

    def close(self) -> None:
        """Close the client's connections and the thread pool (tests and tools)."""
        self._clients.close()
        self._threads.shutdown(wait=False)


def _provider_name(urn: str) -> str | None:
    """The name of the provider whose URN is ``urn``; None when the engine gave none."""
    name = urn.rsplit("::", 1)[-1] if "::" in urn else ""
    return name or None


def _pools_place(urn: str) -> PoolsPlace:
    """Where the pools of the provider ``urn`` are written: the stack config (the default
    provider), an explicit provider's property, or either (no URN)."""
    name = _provider_name(urn)
    if name is None:
        return PROVIDER_POOLS
    if name.startswith(_DEFAULT_PROVIDER_PREFIX):
        return STACK_POOLS
    return explicit_provider_pools(name)


def _missing_credentials(urn: str) -> str | None:
    """What the provider ``urn`` says when it has no keys; None for the default provider,
    which says what the core does (the stack config keys that are missing, as the dynamic
    resource names them)."""
    name = _provider_name(urn)
    if name is None:
        return MISSING_CREDENTIALS
    if name.startswith(_DEFAULT_PROVIDER_PREFIX):
        return None
    return (
        f"GenAuth credentials are missing: set the accessKeyId and accessKeySecret of provider "
        f"{name!r}, or $GENAUTH_ACCESS_KEY_ID and $GENAUTH_ACCESS_KEY_SECRET"
    )


def _unread_secrets_filled(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with each config's secret that is there but unread (null) filled, to check."""
    filled = dict(props)
    for name, secret in SECRET_FIELD_BY_CONFIG.items():
        config = props.get(name)
        if isinstance(config, Mapping) and secret in config and config[secret] is None:
            filled[name] = {**config, secret: UNREAD_SECRET}
    return filled


def _outputs(outputs: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """The outputs for the engine: `pool` only when the resource names one."""
    return names.to_engine(
        {key: value for key, value in outputs.items() if key != POOL_KEY or value is not None}
    )


__all__ = ["API_THREADS", "GenAuthProvider"]
