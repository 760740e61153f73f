# Stand-ins for the telemetry and vector-store packages Honcho imports but does not use with its defaults (README.md): any attribute is a no-op that also serves as a decorator, class or context manager.
import importlib.abc, importlib.machinery, sys, types

STUBBED = ("sentry_sdk", "langfuse", "turbopuffer", "cloudevents", "lancedb")

class _Meta(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Dummy
    def __call__(cls, *a, **k):
        if len(a) == 1 and not k and callable(a[0]) and not isinstance(a[0], _Meta):
            return a[0]
        return cls
    def __enter__(cls):
        return cls
    def __exit__(cls, *a):
        return False
    async def __aenter__(cls):
        return cls
    async def __aexit__(cls, *a):
        return False
    def __iter__(cls):
        return iter(())
    def __bool__(cls):
        return False

class _Dummy(metaclass=_Meta):
    pass

class _Module(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Dummy

class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in STUBBED:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None
    def create_module(self, spec):
        m = _Module(spec.name)
        m.__path__ = []
        return m
    def exec_module(self, module):
        pass

sys.meta_path.insert(0, _Finder())
