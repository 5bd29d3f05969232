"""Every role's pages at 390 and 1280 px on the demo data, in Chromium: no horizontal
overflow, no serious or critical axe-core violation, no English UI string on an
Indonesian page. Screenshots go to $E2E_SCREENSHOTS or instance/e2e-screenshots.

axe-core is vendored (tests/e2e/vendor/axe.min.js, MPL-2.0, from the npm package
axe-core) and injected into each page; nothing is fetched at test time."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from asnbelajar.extensions import db

VENDOR = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS")
             or Path(__file__).resolve().parents[2] / "instance" / "e2e-screenshots")
WIDTHS = (390, 1280)

# Common English UI words and phrases that must not show on an Indonesian page.
ENGLISH = (
    "This field is required", "Field must be", "Not a valid", "Invalid email", "Submit",
    "Password", "Sign in", "Sign up", "Log in", "Logout", "Register", "Cancel",
    "Save", "Search", "Dashboard", "Certificate", "Speaker", "Previous", "Next page",
    "Upcoming", "Forgot", "Welcome", "Settings", "Consent", "Required", "Loading",
)
# Words that are also Indonesian, proper names or shown on purpose (the language switch).
ALLOWED = re.compile(r"English|Zoom|WhatsApp|Email|Dashboard ASN Belajar")

PAGES = {
    "anonymous": ["/", "/episodes", "/login", "/signup", "/forgot-password", "/verify",
                  "/privacy"],
    "participant": ["/me", "/me/registrations", "/me/certificates", "/me/ledger",
                    "/me/profile", "/me/password", "/episodes"],
    "organizer": ["/console", "/console/episodes", "/console/speakers",
                  "/console/participants", "/console/certificates", "/console/email",
                  "/console/audit", "/console/instansi",
                  "/console/integrations/whatsapp"],
    "speaker": ["/speaker"],
}


@pytest.fixture
def demo_server(live_server):
    app, base = live_server
    with app.app_context():
        from sqlalchemy import func, select

        from asnbelajar.demo.seed import seed_demo
        from asnbelajar.episodes.models import Checkpoint
        from asnbelajar.registrations.models import Registration

        seed_demo(participants=60, echo=lambda *_a, **_k: None)
        db.session.commit()
        typed_key = _type_agencies_outside_the_list()
        busiest = db.session.execute(
            select(Registration.episode_id, func.count()).group_by(Registration.episode_id)
            .order_by(func.count().desc()).limit(1)).first()[0]
        checkpoint = db.session.scalar(select(Checkpoint).where(
            Checkpoint.episode_id == busiest).limit(1))
    extra = [f"/console/episodes/{busiest}", f"/console/episodes/{busiest}/registrants",
             f"/console/instansi/map?name={quote(typed_key)}"]
    if checkpoint is not None:
        extra.append(f"/console/episodes/{busiest}/checkpoints/{checkpoint.id}/present")
    return app, base, extra


# Certificate numbers, codes and emails wrap only after "/" or "@", or before "." or "-":
# the text of every such element, where a line ends at any other place.
MID_TOKEN_BREAKS = """() => {
  const broken = [];
  for (const el of document.querySelectorAll('.cert-number, .token-wrap, .token')) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let node, text = '', top = null, bad = false;
    while ((node = walker.nextNode())) {
      for (let i = 0; i < node.textContent.length; i++) {
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        const ch = node.textContent[i];
        if (rect && top !== null && Math.abs(rect.top - top) > 3 && ch.trim()
            && !'/@ '.includes(text.slice(-1)) && !'.-'.includes(ch)) bad = true;
        if (rect) top = rect.top;
        text += ch;
      }
    }
    if (bad) broken.push(text.trim());
  }
  return broken;
}"""


def _type_agencies_outside_the_list() -> str:
    """The demo's participants all picked reference agencies; a few type their own here
    (one long enough to test a phone's table), so the agency page has rows to show."""
    from sqlalchemy import select

    from asnbelajar.accounts.models import ParticipantProfile
    from asnbelajar.accounts.services import find_or_create_instansi

    names = ["Pemprov Papua", "Pemprov Papua", "Dinas Pendidikan Kab. Sleman",
             "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kepulauan Seribu Utara"]
    profiles = db.session.scalars(select(ParticipantProfile).order_by(
        ParticipantProfile.user_id).offset(5).limit(len(names))).all()
    for profile, name in zip(profiles, names, strict=True):
        profile.instansi = find_or_create_instansi(name)
        profile.instansi_name = profile.instansi.name
    db.session.commit()
    return "pemprov papua"


def _login(page, base, email, password):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("#main button[type=submit]").click()
    page.wait_for_load_state()


def _english_words(text: str) -> list[str]:
    found = []
    for phrase in ENGLISH:
        for match in re.finditer(rf"\b{re.escape(phrase)}\b", text):
            context = text[max(0, match.start() - 20):match.end() + 20]
            if not ALLOWED.search(context):
                found.append(phrase)
    return found


def _check(page, name: str, problems: list[str]) -> None:
    width = page.viewport_size["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{name} @{width}: page {overflow}px wider than the window")
    broken = page.evaluate(MID_TOKEN_BREAKS)
    problems.extend(f"{name} @{width}: broken mid-token: {text}" for text in broken)
    page.add_script_tag(path=str(VENDOR))
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)"
        ".map(n => n.target.join(' ')).join(' | ')); }")
    problems.extend(f"{name} @{width}: axe {v}" for v in result)
    if page.evaluate("document.documentElement.lang") == "id":
        english = _english_words(page.locator("body").inner_text())
        if english:
            problems.append(f"{name} @{width}: English on an Indonesian page: {english}")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_role_walk(demo_server, browser, width):
    from asnbelajar.demo.logins import DEMO_LOGINS

    app, base, organizer_extra = demo_server
    logins = {role: (email, password) for role, email, password in DEMO_LOGINS}
    problems: list[str] = []
    for role, paths in PAGES.items():
        if role == "organizer":
            paths = [*paths, *organizer_extra]
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      locale="id-ID", timezone_id="Asia/Makassar",
                                      bypass_csp=True)  # lets axe-core be injected
        page = context.new_page()
        if role != "anonymous":
            _login(page, base, *logins[role])
        for path in paths:
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status < 400, (path, response.status)
            _check(page, f"{role}{path.replace('/', '_') or '_home'}", problems)
        if role == "participant":
            # The sign-up form with every error shown, then an episode page.
            page.goto(f"{base}/episodes")
            link = page.locator("a[href^='/episodes/']").first
            if link.count():
                link.click()
                page.wait_for_load_state()
                _check(page, "participant_episode", problems)
        if role == "organizer":
            page.goto(f"{base}/console/episodes")
            link = page.locator("a[href^='/console/episodes/']").first
            if link.count():
                link.click()
                page.wait_for_load_state()
                _check(page, "organizer_episode", problems)
                registrants = page.locator("a[href$='/registrants']").first
                if registrants.count():
                    registrants.click()
                    page.wait_for_load_state()
                    _check(page, "organizer_registrants", problems)
        if role == "anonymous":
            page.goto(f"{base}/signup")
            page.locator("#main button[type=submit]").click()
            page.wait_for_load_state()
            _check(page, "anonymous_signup_errors", problems)
        context.close()
    assert not problems, "\n".join(problems)
