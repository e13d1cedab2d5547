# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: demo test compat lint bootstrap cli bench mutate dist

demo:            ## set up, start the emulator, `pulumi up` the dev stack against it
	scripts/demo

test:            ## everything CI runs: lint, types, the whole test suite (real engine included)
	scripts/test

compat:          ## CI's second part: Python 3.12 and 3.13, the oldest allowed versions, the wheel
	scripts/test-compat

lint: bootstrap
	.venv/bin/ruff check provider tests benchmarks
	.venv/bin/ruff format --check provider tests benchmarks
	.venv/bin/mypy

bootstrap:
	scripts/bootstrap

cli:
	scripts/install-pulumi-cli

bench: bootstrap ## the figures of the README's Performance section (not part of the tests)
	.venv/bin/python benchmarks/lifecycle.py
	.venv/bin/python benchmarks/startup.py
	.venv/bin/python benchmarks/emulator.py
	.venv/bin/python benchmarks/scale.py

mutate:          ## mutation testing of the provider's modules (mutmut; ~45 minutes, not in CI)
	scripts/mutate

dist:            ## dist/: the wheel, the sdist, the npm package, the Go module (goproxy/) and the plugin tarball
	scripts/dist
