"""The service worker script, served from the site root so it may control every page, and its offline page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory, session
from werkzeug.wrappers import Response

from survey.permissions import public

blueprint = Blueprint("offline", __name__)


@blueprint.route("/sw.js")
@public
def service_worker() -> Response:
    """static/sw.js at the root: a worker controls only the pages under the folder it is served from."""
    assert current_app.static_folder is not None  # the app is created with its static folder
    response = send_from_directory(current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0)
    # Browsers look for a new worker on every visit; "no-cache" makes that a cheap revalidation.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@blueprint.route("/offline")
@public
def offline() -> str:
    """What the service worker shows for a page never opened on this device while there is no connection."""
    # The worker fetches this page in the background: messages waiting for the user's next page
    # (a save confirmed, a message posted) must stay for that page.
    waiting = session.get("_flashes")
    page = render_template("offline/offline.html")
    if waiting:
        session["_flashes"] = waiting
    return page
