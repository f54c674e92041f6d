"""Questions a lower layer asks and a feature above it answers, so that imports only point down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

Answer = TypeVar("Answer", bound=Callable[..., Any])


class Hook:
    """A question with a safe default answer, until the feature that knows registers its own.

    For example the rule book (below the team feature) asks which pillars a contributor was
    assigned; the team feature answers when it is imported, and `create_app` imports every feature.
    Events that several features react to are blinker signals instead (see `survey.assessments.signals`).
    """

    every: list[Hook] = []

    def __init__(self, question: str, default: Callable[..., Any]):
        """Name the question and the answer given while no feature has registered one."""
        self.question = question
        self._default = self._answer = default
        Hook.every.append(self)

    @property
    def answered(self) -> bool:
        """Whether a feature has registered its answer."""
        return self._answer is not self._default

    def answer(self, function: Answer) -> Answer:
        """Decorator: let this function answer the question from now on."""
        self._answer = function
        return function

    def __call__(self, *args: Any) -> Any:
        """Ask the question."""
        return self._answer(*args)
