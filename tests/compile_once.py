"""What every test's app would compile again, compiled once per test process.

Nearly every test builds its own app (`create_app`, on its own database), and Flask then does the same work for each:

- Werkzeug turns every URL rule into a Python function that builds its URLs (an AST, compiled): about 0.1 s of CPU
  per app for the tracker's 60 rules, most of what `create_app` costs;
- Jinja compiles each template the first time the app renders it (tens of milliseconds for a page).

Both results depend only on their inputs (the rule's parts; the template's source and the environment's syntax and
extensions), so a test process keeps them: the second app gets the very code the first one compiled. Nothing is
stubbed: the functions and templates are Werkzeug's and Jinja's own output, and a changed template (another source
checksum) or another environment compiles anew. `installed()` sets both up for the session (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from types import CodeType
from typing import Any

from flask import Flask
from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing.rules import Rule


class TemplateCode(BytecodeCache):
    """Jinja's bytecode cache, kept in memory: the code object of each template, by template, source checksum and
    the environment's flavour (everything the compiler reads from the environment)."""

    def __init__(self) -> None:
        self.code: dict[tuple[str, str], CodeType] = {}

    @staticmethod
    def flavour(env: Environment) -> str:
        autoescape = env.autoescape
        if not isinstance(autoescape, bool):
            autoescape = getattr(autoescape, "__qualname__", "?")
        finalize = None if env.finalize is None else getattr(env.finalize, "__qualname__", "?")
        parts = (type(env).__qualname__, sorted(env.extensions), env.block_start_string, env.block_end_string,
                 env.variable_start_string, env.variable_end_string, env.comment_start_string,
                 env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
                 env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized, env.is_async,
                 autoescape, finalize)
        return hashlib.sha1(repr(parts).encode()).hexdigest()

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        key = f"{self.get_cache_key(name, filename)}:{self.flavour(environment)}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        bucket.code = self.code.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket: Bucket) -> None:
        assert bucket.code is not None
        self.code[(bucket.key, bucket.checksum)] = bucket.code


def _rule_builders() -> Callable[..., Any]:
    """Rule._compile_builder, remembered by what the generated function is made of: the rule's parsed parts (its
    trace), the names of its defaults and whether it appends unknown arguments. A rule with a default for one of its
    own variables gets that value converted into the function: such a rule is compiled every time."""
    compile_builder = Rule._compile_builder
    built: dict[tuple[Any, ...], Callable[..., Any]] = {}

    def remembered(self: Rule, append_unknown: bool = True) -> Callable[..., Any]:
        defaults = self.defaults or {}
        if any(is_dynamic and data in defaults for is_dynamic, data in self._trace):
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    return remembered


@contextlib.contextmanager
def installed() -> Iterator[None]:
    jinja_options = Flask.jinja_options
    compile_builder = Rule.__dict__["_compile_builder"]
    Flask.jinja_options = {**jinja_options, "bytecode_cache": TemplateCode()}
    Rule._compile_builder = _rule_builders()  # type: ignore[method-assign]
    try:
        yield
    finally:
        Flask.jinja_options = jinja_options
        Rule._compile_builder = compile_builder  # type: ignore[method-assign]
