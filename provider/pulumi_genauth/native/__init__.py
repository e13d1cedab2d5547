"""The native provider plugin ``pulumi-resource-genauth``: the second front end.

Programs in any Pulumi language (YAML, TypeScript, Go, Python) use ``genauth:index:EmailProvider``
through this plugin; Python programs may also use the dynamic resource
(``pulumi_genauth.EmailProvider``), which needs no plugin. Both front ends call the same core:
``_validation`` (the rules), ``_lifecycle`` (what create, update, read and delete do),
``_credentials``, ``_client`` and ``_models``.

* ``schema.json``: the package schema the plugin serves (and SDKs are generated from);
* ``_properties``: the schema's spelling (``smtpConfig.senderPass``) and the engine's property
  values, to and from the core's property bags (``smtp_config.sender_pass``);
* ``_provider``: the provider's methods (check, diff, create, read, update, delete, configure);
* ``_server``: the gRPC server, which reports a failure as one line under the resource and
  sends warnings to the engine with the resource's URN.
"""
