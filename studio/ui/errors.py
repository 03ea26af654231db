"""StudioError becomes gr.Error in one place: people see the message, the server log one line.

Two gates keep bad values out of project code, both here and both through Gradio's public API:

- `listen` wires an event with Gradio's preprocessing off and checks each value
  against its component's public settings (a motion beyond its slider's range, a
  vote choice outside its radio's choices), so the refusal names the argument;
- `shown_to_user` checks a handler's arguments against its type hints
  (pydantic) before it runs, so `title_id=123` or `seed=1.5` is refused with
  a message naming the argument instead of failing somewhere inside.

Tracebacks are for bugs: anything else that is not a StudioError reaches
Gradio unchanged, which logs it in full.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal

import gradio as gr
from pydantic import BaseModel, ConfigDict, Strict, TypeAdapter, ValidationError

from studio.errors import StudioError

log = logging.getLogger("studio.ui")


LONG_WORD = re.compile(r"\S{81,}")


def clipped_words(message: str) -> str:
    """`message` with every run of over 80 characters without a space cut to its first 60 and an ellipsis, so a
    refusal that quotes a huge input (a 5,000-character id) stays readable; paths and ids stay whole."""
    return LONG_WORD.sub(lambda word: word.group()[:60] + "…", message)


def refused(error: StudioError | str) -> gr.Error:
    """The page's message for an expected refusal (long quoted inputs clipped), logged as one line."""
    message = clipped_words(str(error))
    log.warning("refused: %s", message.splitlines()[0] if message else "")
    return gr.Error(message, print_exception=False)


def _expected(hint: Any) -> str:
    """What a value of type `hint` is, in words for people."""
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        return _expected(arguments[0])
    if origin in (typing.Union, types.UnionType):
        kinds = [_expected(a) for a in arguments if a is not type(None)]
        return " or ".join(kinds) + (" (or nothing)" if type(None) in arguments else "")
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in arguments)
    if origin in (list, tuple, set):
        return f"a list of {_expected(arguments[0])}" if arguments else "a list"
    if isinstance(hint, type) and issubclass(hint, BaseModel):  # its title says what it is in words
        return hint.model_config.get("title") or hint.__name__
    words = {str: "text", bool: "true or false", int: "a whole number", float: "a finite number", dict: "an object"}
    return words.get(hint, getattr(hint, "__name__", str(hint)))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _ArgumentCheck:
    """A handler's arguments validated against its type hints; unhinted (or Any) arguments pass as they are."""

    def __init__(self, handler: Callable[..., Any]) -> None:
        self.signature = inspect.signature(handler)
        self.hints: dict[str, Any] = {}
        self.adapters: dict[str, TypeAdapter] = {}
        for name, parameter in self.signature.parameters.items():
            hint = _resolve(handler, name, parameter.annotation)
            if hint in (Any, inspect.Parameter.empty) or getattr(hint, "__module__", "").startswith("gradio"):
                continue  # gr.Request, gr.OAuthProfile ...: Gradio fills those in itself
            self.hints[name] = hint
            strict = Annotated[bool, Strict()] if hint is bool else hint  # the text "false" is not false
            own_config = isinstance(hint, type) and issubclass(hint, BaseModel)  # a model keeps its own settings
            self.adapters[name] = TypeAdapter(strict, config=None if own_config else ConfigDict(
                arbitrary_types_allowed=True, allow_inf_nan=False))

    def __call__(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError:
            return args, kwargs  # a wrong number of arguments is Gradio's wiring, a bug: let Python say so
        problems = []
        for name, value in bound.arguments.items():
            adapter = self.adapters.get(name)
            if adapter is None:
                continue
            try:
                bound.arguments[name] = adapter.validate_python(value)
            except ValidationError:
                problems.append(f"{name} must be {_expected(self.hints[name])}, not {_short(value)}")
        if problems:
            raise StudioError("; ".join(problems))
        return bound.args, bound.kwargs


def _resolve(handler: Callable[..., Any], name: str, annotation: Any) -> Any:
    """One parameter's annotation as a type (they are strings under `from __future__ import annotations`), resolved
    one at a time so that a hint naming a local type leaves only that parameter unchecked; Any when unknown."""
    if not isinstance(annotation, str):
        return annotation
    holder = types.SimpleNamespace(__annotations__={name: annotation})
    try:
        return typing.get_type_hints(holder, globalns=getattr(inspect.unwrap(handler), "__globals__", {}),
                                     include_extras=True)[name]
    except (NameError, TypeError, SyntaxError):  # a local type, or a hint Python cannot read here: not checked
        return Any


def _guarded(handler: Callable[..., Any], check: Callable[[tuple, dict], tuple[tuple, dict]]) -> Callable[..., Any]:
    """`handler` (plain or generator, as Gradio must see it) with `check` run on its arguments first, and any
    StudioError turned into the page's one-line refusal."""
    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def generator(*args: Any, **kwargs: Any) -> Any:
            try:
                args, kwargs = check(args, kwargs)
                yield from handler(*args, **kwargs)
            except StudioError as error:
                raise refused(error) from None

        return generator

    @functools.wraps(handler)
    def plain(*args: Any, **kwargs: Any) -> Any:
        try:
            args, kwargs = check(args, kwargs)
            return handler(*args, **kwargs)
        except StudioError as error:
            raise refused(error) from None

    return plain


def shown_to_user(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a handler (plain or generator): its arguments are checked against its type hints, and a
    StudioError reaches the page as its message."""
    return _guarded(handler, _ArgumentCheck(handler))


class _ComponentRules:
    """The checks a component would make of its value, made from its public settings (a slider's or number box's
    range, a radio's, dropdown's or checkbox group's choices), and the raw payload of a table or file turned into the
    value a handler reads: the rows, the uploaded file's path."""

    def __init__(self, handler: Callable[..., Any], components: list[Any], api_name: Any) -> None:
        self.components = components
        self.names = list(inspect.signature(handler).parameters)
        self.prefix = f"/{api_name}: " if isinstance(api_name, str) else ""

    def __call__(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        # Gradio passes the components' values first, in order; what it fills in itself (gr.Request ...) follows.
        values = list(args)
        for index, component in enumerate(self.components[:len(values)]):
            name = self.names[index] if index < len(self.names) else f"argument {index + 1}"
            values[index] = self._checked(component, name, values[index])
        return tuple(values), kwargs

    def _checked(self, component: Any, name: str, value: Any) -> Any:
        if value is None:
            return None  # "nothing chosen": the handler's type hints say whether that is allowed
        if isinstance(component, gr.Dataframe):
            return value.get("data") if isinstance(value, dict) else value  # Gradio has checked the table's form
        if isinstance(component, gr.File):
            return value.get("path") if isinstance(value, dict) else value  # an upload Gradio has checked and kept
        if isinstance(component, (gr.Slider, gr.Number)):
            return self._in_range(component, name, value)
        choices = getattr(component, "choices", None)
        if choices and not getattr(component, "allow_custom_value", False):
            self._among_choices(component, name, value, choices)
        return value

    def _in_range(self, component: gr.Slider | gr.Number, name: str, value: Any) -> Any:
        low, high = component.minimum, component.maximum
        allowed = (f"{low:g} to {high:g}" if low is not None and high is not None else
                   f"at least {low:g}" if low is not None else f"at most {high:g}" if high is not None else "")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise StudioError(f"{self.prefix}{name} must be a number{' from ' + allowed if allowed else ''}, "
                              f"not {_short(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise StudioError(f"{self.prefix}{name} must be {allowed}, not {value!r}")
        return value

    def _among_choices(self, component: Any, name: str, value: Any, choices: list) -> None:
        allowed = [choice[1] if isinstance(choice, (tuple, list)) else choice for choice in choices]
        wrong = [item for item in (value if isinstance(value, list) else [value]) if item not in allowed]
        if not wrong:
            return
        # A long list reads better as its rule, which such a control states in its `info`.
        info = getattr(component, "info", None)
        rule = info if len(allowed) > 8 and info else f"must be one of {', '.join(map(str, allowed))}"
        raise StudioError(f"{self.prefix}{name} {rule}, not {_short(wrong[0])}")


def listen(trigger: Callable[..., Any], handler: Callable[..., Any], inputs: Any, outputs: Any = None,
           **options: Any) -> Any:
    """Wire `handler` to `trigger` (an event such as `button.click`, or a dependency's `.then`) with Gradio's
    preprocessing off, so the handler receives the values as they were sent and refuses a bad one itself, in one
    line naming the argument: the range or choices its component allows, then its type hint (`shown_to_user`).
    Gradio still checks the form of a table or a file upload before this (a file must be one uploaded here)."""
    components = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    checked = _guarded(handler, _ComponentRules(handler, components, options.get("api_name")))
    return trigger(checked, inputs, outputs, preprocess=False, **options)
