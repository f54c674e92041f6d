"""The assignment form: one group of pillar checkboxes per contributor."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from survey.accounts.models import User
from survey.frameworks.definition import FrameworkDef


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignmentForm(FlaskForm):
    """Base of the generated form; a field per contributor named `user_<id>`."""

    @staticmethod
    def field_name(user: User) -> str:
        """The field of a contributor."""
        return f"user_{user.id}"


def make_assignment_form(
    contributors: list[User], framework: FrameworkDef, current: dict[int, set[str]]
) -> AssignmentForm:
    """A form with the contributors' current assignments as defaults."""
    choices = [SelectChoice(p.code, p.title) for p in framework.pillars]

    class Form(AssignmentForm):
        pass

    for user in contributors:
        setattr(
            Form,
            AssignmentForm.field_name(user),
            CheckboxesField(user.full_name or user.username, choices=choices, default=sorted(current.get(user.id, ()))),
        )
    return Form()
