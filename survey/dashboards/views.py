"""Regional dashboards, the needs view, country profiles and open-data downloads.

Every view here is public: the publication rule (`released_condition`) decides what each
reader sees, so anonymous readers get public releases and donors also donor-level ones.
"""

from __future__ import annotations

import json
import re

from babel.numbers import get_decimal_symbol
from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from survey.compression import Encoded, accepted_encoding, mark_shared, send
from survey.dashboards import build, cache, exports, matching, needs, opendata, profile, services
from survey.dashboards.services import BadParameter
from survey.i18n.locale import text_direction
from survey.images.service import ChartImage, chart_image
from survey.images.service import store as image_store
from survey.images.store import KEY
from survey.permissions import public
from survey.projects import services as project_services
from survey.regions.services import all_regions

blueprint = Blueprint("dashboards", __name__, url_prefix="/dashboards")
FORMATS = ("csv", "xlsx", "json")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def error_message(kind: str) -> str:
    """What went wrong, in the reader's language, and what to do instead."""
    return {
        "region": _("There is no such region. Choose one from the list of regions."),
        "cycle": _("There is no assessment cycle for this year. Choose a cycle from the list."),
        "version": _("There is no such framework version. Choose one from the list."),
        "sort": _("The table can only be sorted by the overall score or by a pillar."),
        "too-many": _("Choose at most three countries to compare."),
        "country": _("Countries to compare must be members of the region with released results in this cycle."),
        "panel": _("This dashboard has no such chart."),
        "format": _("Downloads exist as CSV, XLSX and JSON only."),
        "needs-format": _("The needs view downloads exist as CSV and XLSX only."),
        "rate": _("Exchange rates must be positive numbers and currencies three-letter ISO codes (e.g. USD)."),
        "rate-target": _("Choose the currency to convert into as well as the rates."),
        "country-profile": _("There is no country with this code."),
    }.get(kind, _("The request could not be understood."))


@blueprint.errorhandler(BadParameter)
def bad_parameter(error: BadParameter) -> tuple[str, int]:
    """A translated explanation with a way back, never a 500."""
    return render_template("dashboards/error.html", message=error_message(error.kind), code=error.status), error.status


def _load(region_code: str, year: int) -> services.RegionalData:
    region = services.find_region(region_code)
    cycle = services.find_cycle(year)
    version = services.find_version(request.args.get("version"), cycle)
    return services.regional_data(current_user, region, cycle, version)


def _dashboard(region_code: str, year: int) -> build.Dashboard:
    data = _load(region_code, year)
    chosen = build.check_chosen(request.args.getlist("country"), data)  # before any query uses it
    points = services.trend_points(current_user, data.region, chosen)
    versions = {v.id: v.display_name for v in services.framework_versions()}
    funding = _funding(data)
    return build.build_dashboard(
        data, points, versions, chosen, request.args.get("sort"), text_direction() == "rtl", funding
    )


def _funding(data: services.RegionalData) -> build.Funding:
    """The region's gaps and the planned or running projects the reader may see that fund them."""
    gaps = services.gaps(current_user, data)
    funded = project_services.funding(current_user, data.members, data.version.definition)
    return build.Funding(gaps, frozenset(funded.by_gap), funded.per_country)


@blueprint.route("/")
@public
def index() -> str | BaseResponse:
    """Choose a region, a cycle and a framework version (a plain GET form)."""
    region, year = request.args.get("region"), request.args.get("year")
    if region and year:
        if not re.fullmatch(r"[0-9]{1,4}", year):  # a year, in ASCII digits
            raise BadParameter("cycle", 404)
        version = request.args.get("version") or None
        return redirect(url_for(".region", region_code=region, year=int(year), version=version))
    return render_template(
        "dashboards/index.html",
        regions=all_regions(),
        years=services.cycle_years(),
        versions=services.framework_versions(),
    )


@blueprint.route("/<region_code>/<int:year>")
@public
def region(region_code: str, year: int) -> Response:
    """The regional dashboard: headline figures and six charts, each with its table and CSV."""

    def build() -> dict:
        board = _dashboard(region_code, year)
        return {
            "board": board,
            "data": board.data,
            "years": services.cycle_years(),
            "versions": services.framework_versions(),
        }

    return cache.cached_page("dashboards/region.html", build)


def _query() -> dict:
    """The current query parameters, to carry into links (sort, countries, version)."""
    return {key: tuple(request.args.getlist(key)) for key in ("version", "sort", "country") if key in request.args}


@blueprint.app_template_global("dashboard_url")
def dashboard_url(endpoint: str, **values) -> str:
    """A dashboard link keeping the reader's version, sort and countries."""
    return url_for(endpoint, **{**_query(), **values})


@blueprint.app_template_global("dashboard_cell")
def dashboard_cell(value) -> str:
    """A table cell as text: scores with one decimal in the reader's locale, a dash for no data."""
    if value is None:
        return "—"
    if isinstance(value, build.Scored):
        return f"{dashboard_cell(value.score)} ({value.stage})"
    if isinstance(value, float):
        if "dashboard_decimal" not in g:
            g.dashboard_decimal = get_decimal_symbol(get_locale())
        return f"{value:.1f}".replace(".", g.dashboard_decimal)
    return str(value)


@blueprint.route("/<region_code>/<int:year>/<panel>.csv")
@public
def panel_csv(region_code: str, year: int, panel: str) -> Response:
    """Exactly the data of one chart, as CSV."""
    if panel not in build.PANELS:
        raise BadParameter("panel", 404)

    def make() -> tuple[bytes, str]:
        table = _dashboard(region_code, year).panels[panel].table
        body = exports.to_csv(
            exports.flat_headers(table, _("%(column)s: stage")),
            (exports.flat_row(row) for row in table.rows),
        )
        return body.encode(), CSV

    return _download(*cache.cached_download(make, compress=True), f"{region_code}-{year}-{panel}.csv")


@blueprint.route("/<region_code>/<int:year>/export.<fmt>")
@public
def export(region_code: str, year: int, fmt: str) -> Response:
    """Open data of a region in a cycle: indicator levels, pillar and overall scores."""
    if fmt not in FORMATS:
        raise BadParameter("format", 404)

    def make() -> tuple[bytes, str]:
        data = _load(region_code, year)
        if fmt == "json":
            body = json.dumps(opendata.export_json(current_user, data), ensure_ascii=False, indent=1)
            return body.encode(), "application/json"
        headers, rows = opendata.export_table(current_user, data)
        if fmt == "csv":
            return exports.to_csv(headers, rows).encode(), CSV
        return exports.to_xlsx(f"{data.region.short_name} {year}", headers, rows), XLSX

    body, mimetype = cache.cached_download(make, compress=fmt != "xlsx")  # XLSX is a ZIP already
    return _download(body, mimetype, f"cyberready-{region_code}-{year}.{fmt}")


@blueprint.route("/<region_code>/<int:year>/plan/export.<fmt>")
@public
def plan_export(region_code: str, year: int, fmt: str) -> Response:
    """The action plans of the released results of a region in a cycle, one row per action."""
    if fmt not in FORMATS:
        raise BadParameter("format", 404)

    def make() -> tuple[bytes, str]:
        data = _load(region_code, year)
        if fmt == "json":
            return json.dumps(opendata.plan_json(data), ensure_ascii=False, indent=1).encode(), "application/json"
        headers, rows = opendata.plan_table(data)
        if fmt == "csv":
            return exports.to_csv(headers, rows).encode(), CSV
        return exports.to_xlsx(_("Action plans"), headers, rows), XLSX

    body, mimetype = cache.cached_download(make, compress=fmt != "xlsx")
    return _download(body, mimetype, f"cyberready-{region_code}-{year}-plans.{fmt}")


def _download(body: Encoded | bytes, mimetype: str, filename: str) -> Response:
    response = send(body, mimetype) if isinstance(body, Encoded) else Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blueprint.route("/<region_code>/<int:year>/needs")
@public
def needs_view(region_code: str, year: int) -> Response:
    """Most common gaps (below Established) and budget and staffing facts side by side."""

    def build() -> dict:
        data = _load(region_code, year)
        rates = needs.parse_rates(request.args)
        indicators, rows, currencies = needs.fact_table(current_user, data, rates)
        return {
            "data": data,
            "gaps": needs.gap_list(current_user, data),
            "fact_indicators": indicators,
            "fact_rows": rows,
            "currencies": currencies,
            "rates": rates,
        }

    return cache.cached_page("dashboards/needs.html", build)


@blueprint.route("/<region_code>/<int:year>/needs.<fmt>")
@public
def needs_download(region_code: str, year: int, fmt: str) -> Response:
    """The needs view as a table: each gap (indicator and member below Established) with the member's facts."""
    if fmt not in ("csv", "xlsx"):
        raise BadParameter("needs-format", 404)

    def make() -> tuple[bytes, str]:
        data = _load(region_code, year)
        headers, rows = opendata.needs_table(current_user, data)
        if fmt == "csv":
            return exports.to_csv(headers, rows).encode(), CSV
        title = _("Needs %(region)s %(year)s", region=data.region.short_name, year=year)
        return exports.to_xlsx(title, headers, rows), XLSX

    body, mimetype = cache.cached_download(make, compress=fmt != "xlsx")  # XLSX is a ZIP already
    return _download(body, mimetype, f"cyberready-{region_code}-{year}-needs.{fmt}")


@blueprint.route("/countries/<alpha2>")
@public
def country_profile(alpha2: str) -> Response:
    """A country's released scores over cycles against its regions' medians; strengths, needs, facts."""

    def build() -> dict:
        return profile.build_profile(current_user, profile.find_country(alpha2))

    return cache.cached_page("dashboards/profile.html", build)


@blueprint.route("/images/<key>.svg")
@public
def chart_image_file(key: str) -> BaseResponse:
    """A chart's static image, drawn once and kept compressed; its name changes with what it shows."""
    mark_shared()  # the same for every reader: no session cookie, no Vary: Cookie
    images = image_store()
    if not KEY.fullmatch(key) or not images.has(key):
        abort(404)
    encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""))
    body = images.read(key, encoding)
    if body is None:  # drawn, but a compressed form is missing: send the plain one
        encoding, body = None, images.read(key)
    response = Response(body, mimetype="image/svg+xml")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.set_etag(key)
    # Private: an image of donor-level results must not sit in a shared cache.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    # Opened on its own, the SVG needs its inline styles, and nothing else.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response.make_conditional(request)


@blueprint.app_template_global("plan_covers")
def plan_covers(assessment, actions) -> dict[int, list[project_services.ProjectRef]]:
    """Per action requested from donors, the planned or running projects the reader may see that cover it."""
    return matching.plan_covers(current_user, assessment, actions)


@blueprint.app_template_global("chart_image")
def chart_image_global(figure: dict | None) -> ChartImage | None:
    """The chart's drawn images, or None (the page then shows the table; see images.service)."""
    return chart_image(figure)
