"""The native provider plugin ``pulumi-resource-genauth``: the second front end.

Programs in any Pulumi language (YAML, TypeScript, Go, Python) use ``genauth:index:EmailProvider``
through this plugin; Python programs may also use the dynamic resource
(``pulumi_genauth.EmailProvider``), which needs no plugin. Both front ends call the same core:
``_validation`` (the rules), ``_lifecycle`` (what create, update, read and delete do),
``_credentials``, ``_client`` and ``_models``.

* ``schema.json``: the package schema the plugin serves (and SDKs are generated from);
* ``_schema``: that schema, loaded, and the names the plugin reads from it (the resource's
  token, its inputs);
* ``_config``: the provider's own config as the engine handles it: its secrets and its diff;
* ``_properties``: the schema's spelling (``smtpConfig.senderPass``) and the engine's property
  values, to and from the core's property bags (``smtp_config.sender_pass``);
* ``_values``: the engine's property values (a value, whether it is secret) to and from the
  protobuf ``Struct`` the engine sends;
* ``_protocol``: the calls the plugin serves, one request and response per call, as Python
  values;
* ``_provider``: the provider's methods (check, diff, create, read, update, delete, configure);
* ``_server``: the gRPC server, which reports a failure as one line under the resource and
  sends warnings to the engine with the resource's URN.
"""
