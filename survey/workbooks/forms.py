"""The workbook upload form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from survey.i18n.forms import CatalogMeta


class UploadForm(FlaskForm):
    """One file: a workbook downloaded from this site and filled in."""

    Meta = CatalogMeta

    workbook = FileField(
        _l("Filled-in workbook (.xlsx)"), validators=[FileRequired(_l("Choose the workbook file to upload."))]
    )


class ApplyForm(FlaskForm):
    """Confirms (or cancels) a previewed upload; the chosen changes come as `keep` check boxes."""

    Meta = CatalogMeta
