"""StudioError becomes gr.Error in one place: people see the message, the server log one line.

Two gates keep bad values out of project code, both here:

- `shown_to_user` checks a handler's arguments against its type hints
  (pydantic) before it runs, so `title_id=123` or `motion="abc"` is refused with
  a message naming the argument instead of failing somewhere inside;
- `StudioBlocks` turns what Gradio's own components refuse (a vote choice
  outside a Radio's choices, a motion beyond a Slider's range, a table that is
  not a table) into the same one-line refusal instead of a logged traceback.

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
from gradio.exceptions import ComponentProcessingError
from pydantic import ConfigDict, Strict, TypeAdapter, ValidationError

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
            self.adapters[name] = TypeAdapter(strict, config=ConfigDict(arbitrary_types_allowed=True, allow_inf_nan=False))

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


def shown_to_user(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a handler (plain or generator): its arguments are checked against its type hints, and a
    StudioError reaches the page as its message."""
    check = _ArgumentCheck(handler)
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


class StudioBlocks(gr.Blocks):
    """gr.Blocks whose input refusals (Gradio's own checks of a component's value) are one-line refusals
    naming the argument, like a StudioError, instead of a logged traceback."""

    @staticmethod
    def _format_processing_error(block_fn, index, block, value, is_input, original_error) -> str:  # noqa: ANN001
        if not is_input:  # a handler returned something its output cannot show: a bug, keep Gradio's account
            return gr.Blocks._format_processing_error(block_fn, index, block, value, is_input, original_error)
        names = list(inspect.signature(block_fn.fn).parameters) if block_fn.fn else []
        argument = names[index] if index < len(names) else f"argument {index + 1}"
        return f"{argument} cannot be {_short(value)}: the {block.get_block_name()} input does not take it"

    async def preprocess_data(self, block_fn, inputs, state, explicit_call=False):  # noqa: ANN001
        try:
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except ValidationError:  # a value not even in the component's form (text for a table): say which
            api = f"/{block_fn.api_name}: " if isinstance(block_fn.api_name, str) else ""
            raise refused(api + self._misshapen_input(block_fn, inputs)) from None
        except (gr.Error, ComponentProcessingError) as error:
            message = error.message if isinstance(error, gr.Error) else str(error).splitlines()[0]
            api = f"/{block_fn.api_name}: " if isinstance(block_fn.api_name, str) else ""
            raise refused(api + (self._out_of_range(block_fn, inputs) or self._not_a_choice(block_fn, inputs)
                                 or message)) from None

    @staticmethod
    def _not_a_choice(block_fn, inputs) -> str | None:  # noqa: ANN001
        """The refusal naming the first value that is not among its radio's, dropdown's or checkbox group's choices
        (Gradio's own quotes the value's Python type); None when every value is one of them."""
        names = list(inspect.signature(block_fn.fn).parameters) if block_fn.fn else []
        for index, (block, value) in enumerate(zip(block_fn.inputs, inputs, strict=False)):
            choices = getattr(block, "choices", None)
            if not choices or getattr(block, "allow_custom_value", False):
                continue
            allowed = [choice[1] if isinstance(choice, (tuple, list)) else choice for choice in choices]
            wrong = [item for item in (value if isinstance(value, list) else [value]) if item not in allowed]
            if value is None or not wrong:
                continue
            name = names[index] if index < len(names) else f"argument {index + 1}"
            # A long list reads better as its rule, which such a control states in its `info`.
            rule = block.info if len(allowed) > 8 and getattr(block, "info", None) else (
                f"must be one of {', '.join(map(str, allowed))}")
            return f"{name} {rule}, not {_short(wrong[0])}"
        return None

    @staticmethod
    def _out_of_range(block_fn, inputs) -> str | None:  # noqa: ANN001
        """The refusal naming the first number outside its slider's or number box's range (Gradio's own says only
        "Value -1 is less than minimum value 0"); None when no input is out of range."""
        names = list(inspect.signature(block_fn.fn).parameters) if block_fn.fn else []
        for index, (block, value) in enumerate(zip(block_fn.inputs, inputs, strict=False)):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            low, high = getattr(block, "minimum", None), getattr(block, "maximum", None)
            if (low is None or value >= low) and (high is None or value <= high):
                continue
            name = names[index] if index < len(names) else f"argument {index + 1}"
            allowed = (f"{low:g} to {high:g}" if low is not None and high is not None else
                       f"at least {low:g}" if low is not None else f"at most {high:g}")
            return f"{name} must be {allowed}, not {value!r}"
        return None

    @classmethod
    def _misshapen_input(cls, block_fn, inputs) -> str:  # noqa: ANN001
        """The refusal for the first input its component's data model rejects."""
        for index, (block, value) in enumerate(zip(block_fn.inputs, inputs, strict=False)):
            model = getattr(block, "data_model", None)
            if model is None or value is None:
                continue
            try:
                model.model_validate(value, context={"validate_meta": True})
            except ValidationError:
                return cls._format_processing_error(block_fn, index, block, value, True, None)
        return "an input is not in the form its component takes"
