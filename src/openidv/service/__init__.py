"""The HTTP service (FastAPI): thin routes over the runtime, typed dependencies, problem+json errors."""
