"""The pillar page tells how far the team is: answered of total, for this pillar and overall."""

from __future__ import annotations

import re

from tests.test_assessments import SUBSTANTIVE, start_ghana


def progress_bars(page: str) -> dict[str, tuple[str, str, str]]:
    """Each progress bar's label text, value and maximum, by id."""
    bars = {}
    for name in ("progress-pillar", "progress-all"):
        label = re.search(rf'<label for="{name}">([^<]*)</label>', page).group(1)
        bar = re.search(rf'<progress id="{name}" max="(\d+)" value="(\d+)">', page)
        bars[name] = (label, bar.group(2), bar.group(1))
    return bars


def test_pillar_page_shows_answered_of_total_for_the_pillar_and_overall(client, auth, demo):
    assessment_id = start_ghana(client, auth)
    url = f"/assessments/{assessment_id}/pillars/legal"
    bars = progress_bars(client.get(url).get_data(as_text=True))
    assert bars["progress-pillar"] == ("This pillar: 0 of 7 scored questions answered", "0", "7")
    assert bars["progress-all"][1:] == ("0", bars["progress-all"][2])
    total = int(bars["progress-all"][2])
    assert total > 7

    client.post(
        url,
        data={
            f"{SUBSTANTIVE}-state": "4",
            "legal__data_protection-state": "dont_know",
            "legal__data_protection-comment": "The law is being drafted.",
        },
    )
    client.post(f"/assessments/{assessment_id}/pillars/strategy", data={"strategy__national_strategy-state": "2"})
    bars = progress_bars(client.get(url + "?lang=fr").get_data(as_text=True))
    assert bars["progress-pillar"] == ("Ce pilier\u00a0: réponse à 2 des 7 questions notées", "2", "7")
    assert bars["progress-all"] == (
        f"Tous les piliers\u00a0: réponse à 3 des {total} questions notées",
        "3",
        str(total),
    )
