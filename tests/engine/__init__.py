"""The real-engine tests: the pulumi CLI, the emulator, programs in several languages."""
