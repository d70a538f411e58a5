"""Validators nobody on this project wrote, run over every output of the demo region and of the
fixture region in both URL modes (issue 12): feeds (feedparser + the Atom RFC 4287 rules),
sitemaps (the sitemaps.org XSDs, with lxml), calendars (icalendar), JSON-LD (extruct, the
properties schema.org/Google require), robots.txt (Protego)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

feedparser = pytest.importorskip("feedparser")
etree = pytest.importorskip("lxml.etree")
icalendar = pytest.importorskip("icalendar")
extruct = pytest.importorskip("extruct")
protego = pytest.importorskip("protego")

from conftest import REPO, make_region, run_cli  # noqa: E402
from fixtures.region import build, make_fixture_region  # noqa: E402
from test_scorecard import git  # noqa: E402

from skpdgen.pipeline import BuildRequest, build_region  # noqa: E402

XSD = Path(__file__).parent / "fixtures" / "xsd"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DEMO_TODAY = date(2026, 11, 29)
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class Built:
    name: str
    out: Path
    portal_url: str
    # the base URL each agency folder is published at (its own domain, or under the portal)
    sites: dict[str, str]


def _sites_of(out: Path, portal_url: str) -> dict[str, str]:
    """{slug: base URL} read from each agency's own sitemap (its first <loc> is its home)."""
    sites = {}
    for sitemap in sorted(out.glob("*/sitemap.xml")):
        first = etree.parse(str(sitemap)).getroot().find(f"{SITEMAP_NS}url/{SITEMAP_NS}loc")
        sites[sitemap.parent.name] = first.text
    return sites


@pytest.fixture(scope="module", params=["demo", "fixture", "fixture-single-domain"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    if request.param == "demo":
        out = tmp_path_factory.mktemp("demo") / "build"
        result = build_region(BuildRequest(root=REPO, today=DEMO_TODAY, out_dir=out))
        assert result.ok, [d.to_json() for d in result.diagnostics]
        return Built("demo", out, "https://sukamajukab.go.id/", _sites_of(out, ""))
    root = make_fixture_region(tmp_path_factory.mktemp("fixture"))
    if request.param == "fixture-single-domain":     # every agency under the portal's domain
        site_yaml = root / "sites/disdik/site.yaml"
        text = site_yaml.read_text(encoding="utf-8")
        site_yaml.write_text(re.sub(r"(?m)^base_url: .*\n", "", text), encoding="utf-8")
    done = build(root)
    assert done.returncode == 0, done.stderr
    out = root / "build"
    return Built(request.param, out, "https://ujikab.go.id/", _sites_of(out, ""))


def files(out: Path, pattern: str) -> Iterator[Path]:
    return (p for p in sorted(out.rglob(pattern)) if ".skpdgen" not in p.parts)


def host(url: str) -> str:
    return urlsplit(url).netloc


# --- feeds --------------------------------------------------------------------------------------

def atom_problems(data: bytes) -> list[str]:
    """The RFC 4287 rules a feed reader relies on (§4.1.1, §4.1.2, §4.2)."""
    root = etree.fromstring(data)
    problems = []
    if root.tag != f"{ATOM}feed":
        return ["not an atom:feed"]

    def one(node: Any, name: str, where: str) -> Any:
        found = node.findall(f"{ATOM}{name}")
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} atom:{name}, must be exactly 1")
            return None
        return found[0]

    for name in ("id", "title", "updated"):
        one(root, name, "feed")
    for stamp in root.iter(f"{ATOM}updated", f"{ATOM}published"):
        if not RFC3339.fullmatch(stamp.text or ""):
            problems.append(f"date '{stamp.text}' is not RFC 3339")
    if not any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link")):
        problems.append("feed: no link rel=self")
    feed_author = root.find(f"{ATOM}author") is not None
    ids = set()
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), start=1):
        where = f"entry {number}"
        entry_id = one(entry, "id", where)
        for name in ("title", "updated"):
            one(entry, name, where)
        if entry_id is not None:
            if not urlsplit(entry_id.text or "").scheme:
                problems.append(f"{where}: id '{entry_id.text}' is not an absolute IRI")
            if entry_id.text in ids:
                problems.append(f"{where}: duplicate id {entry_id.text}")
            ids.add(entry_id.text)
        if not feed_author and entry.find(f"{ATOM}author") is None:
            problems.append(f"{where}: no atom:author and the feed has none")
        alternate = [link for link in entry.findall(f"{ATOM}link")
                     if link.get("rel", "alternate") == "alternate"]
        if not alternate and entry.find(f"{ATOM}content") is None:
            problems.append(f"{where}: neither content nor a link rel=alternate")
        for author in entry.iter(f"{ATOM}author"):
            if author.find(f"{ATOM}name") is None:
                problems.append(f"{where}: atom:author without atom:name")
    return problems


def test_the_atom_rules_catch_a_broken_feed() -> None:
    broken = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
              b"<updated>2024-06-15</updated><entry><title>a</title></entry></feed>")
    problems = atom_problems(broken)
    assert "feed: 0 atom:id, must be exactly 1" in problems
    assert "date '2024-06-15' is not RFC 3339" in problems
    assert "entry 1: no atom:author and the feed has none" in problems


def test_every_feed_parses_and_follows_rfc_4287(built: Built) -> None:
    feeds = list(files(built.out, "feed.xml"))
    assert len(feeds) > len(built.sites)
    for path in feeds:
        data = path.read_bytes()
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10", path
        assert atom_problems(data) == [], path
        self_link = [link["href"] for link in parsed.feed.links if link["rel"] == "self"]
        rel = path.relative_to(built.out).as_posix()
        agency = rel.split("/", 1)[0]
        base = built.sites.get(agency, built.portal_url)
        expected = base + (rel.split("/", 1)[1] if agency in built.sites else rel)
        assert self_link == [expected], path


# --- sitemaps and robots.txt --------------------------------------------------------------------

def schema(name: str) -> Any:
    return etree.XMLSchema(etree.parse(str(XSD / name)))


def test_the_sitemap_schemas_catch_a_broken_sitemap() -> None:
    broken = etree.fromstring(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
        b"<lastmod>2024-13-45</lastmod><loc>https://ujikab.go.id/</loc></url></urlset>")
    assert not schema("sitemap.xsd").validate(broken)
    assert not schema("siteindex.xsd").validate(
        etree.fromstring(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'))


def test_every_sitemap_is_valid_and_names_its_own_host_only(built: Built) -> None:
    urlset, index = schema("sitemap.xsd"), schema("siteindex.xsd")
    portal = etree.parse(str(built.out / "sitemap.xml"))
    assert index.validate(portal), index.error_log
    listed = [loc.text for loc in portal.iter(f"{SITEMAP_NS}loc")]
    assert all(host(loc) == host(built.portal_url) for loc in listed), listed
    for path in files(built.out, "sitemap*.xml"):
        if path == built.out / "sitemap.xml":
            continue
        tree = etree.parse(str(path))
        assert urlset.validate(tree), (path, urlset.error_log)
        agency = path.parent.name if path.parent != built.out else None
        base = built.sites[agency] if agency else built.portal_url
        locs = [loc.text for loc in tree.iter(f"{SITEMAP_NS}loc")]
        assert all(loc.startswith(base) for loc in locs), path
        assert len(locs) == len(set(locs)), path
    for slug, base in built.sites.items():
        own_domain = host(base) != host(built.portal_url)
        assert (base + "sitemap.xml" in listed) != own_domain, slug


def test_agency_folder_and_tag_index_pages_are_in_the_sitemaps(built: Built) -> None:
    for slug, base in built.sites.items():
        locs = {loc.text for loc in etree.parse(str(built.out / slug / "sitemap.xml"))
                .iter(f"{SITEMAP_NS}loc")}
        assert base + "tag/" in locs, slug
        if (built.out / slug / "profil/index.html").is_file():
            assert base + "profil/" in locs, slug


def test_robots_txt_allows_crawling_and_names_sitemaps_of_its_own_host(built: Built) -> None:
    robots = [(built.out / "robots.txt", built.portal_url)]
    robots += [(built.out / slug / "robots.txt", base) for slug, base in built.sites.items()
               if host(base) != host(built.portal_url)]
    for path, base in robots:
        parser = protego.Protego.parse(path.read_text(encoding="utf-8"))
        assert parser.can_fetch(base, "Googlebot") and parser.can_fetch(base + "berita/", "*")
        assert list(parser.sitemaps) == [base + "sitemap.xml"], path
    for slug, base in built.sites.items():   # an agency under the portal: the portal's robots
        if host(base) == host(built.portal_url):
            assert not (built.out / slug / "robots.txt").exists(), slug


# --- calendars ----------------------------------------------------------------------------------

def test_every_calendar_parses_and_stamps_the_last_change(built: Built) -> None:
    calendars = list(files(built.out, "*.ics"))
    assert calendars
    now = datetime.now(UTC)
    for path in calendars:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        assert str(cal["VERSION"]) == "2.0" and cal.get("PRODID"), path
        events = list(cal.walk("VEVENT"))
        uids = [str(e["UID"]) for e in events]
        assert len(uids) == len(set(uids)), path
        for event in events:
            for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "URL"):
                assert event.get(required) is not None, (path, required)
            stamp = event.decoded("DTSTAMP")
            assert stamp.tzinfo is not None and stamp <= now, (path, stamp)
            organizer = event["ORGANIZER"]
            assert organizer.params.get("CN"), path
            assert not [k for k in event if k.startswith("X-")], path


# --- JSON-LD ------------------------------------------------------------------------------------

REQUIRED = {   # schema.org types and what Google's rich results require of them
    "NewsArticle": ("headline", "datePublished", "author", "publisher"),
    "Event": ("name", "startDate", "location"),
    "GovernmentOrganization": ("name", "url"),
}


def jsonld_items(out: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in files(out, "*.html"):
        data = extruct.extract(path.read_text(encoding="utf-8"), syntaxes=["json-ld"],
                               uniform=True)
        for item in data["json-ld"]:
            yield path, item
            for key in ("publisher", "organizer", "parentOrganization"):
                if isinstance(item.get(key), dict):
                    yield path, item[key]


def test_json_ld_has_the_required_properties(built: Built) -> None:
    seen: dict[str, int] = dict.fromkeys(REQUIRED, 0)
    for path, item in jsonld_items(built.out):
        kind = item.get("@type")
        if kind not in REQUIRED:
            continue
        seen[kind] += 1
        missing = [p for p in REQUIRED[kind] if not item.get(p)]
        assert not missing, (path, kind, missing)
        if kind == "Event":
            location = item["location"]
            assert location.get("name") or location.get("address"), path
            assert item["organizer"].get("name"), path
            assert RFC3339.fullmatch(item["startDate"]) or re.fullmatch(
                r"\d{4}-\d{2}-\d{2}", item["startDate"]), path
        if kind == "NewsArticle":
            assert len(item["headline"]) <= 110 and item["author"].get("name"), path
    assert all(seen.values()), seen


# --- the smaller fixes of issue 12, on a small region in git ------------------------------------

EVENT_REGION = {
    "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ncontact:\n  address: Jl. Merdeka 1\n"
                              "  email: dinkes@ujikab.go.id\n",
    "sites/dinkes/content/agenda/rapat.md":
        "---\ntitle: Rapat\nstart: 2027-01-05T09:00\nlocation: Aula\n"
        "organizer: Bappeda dan Dinkes\n---\nIsi.\n",
    "sites/dinkes/content/agenda/senam.md": "---\ntitle: Senam\nstart: 2027-02-01\n---\nIsi.\n",
}


@pytest.fixture(scope="module")
def event_region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_region(tmp_path_factory.mktemp("events"), EVENT_REGION)
    git(root, "init", "-q", "-b", "main")
    for key, value in (("user.name", "Uji"), ("user.email", "uji@example.id"),
                       ("commit.gpgsign", "false")):
        git(root, "config", key, value)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "agenda", when="2026-11-02T10:00:00+07:00")
    return root


def jsonld_of(page: Path) -> dict[str, Any]:
    [item] = extruct.extract(page.read_text(encoding="utf-8"), syntaxes=["json-ld"],
                             uniform=True)["json-ld"]
    return dict(item)


def test_calendar_stamps_the_commit_organizer_and_is_stable(event_region: Path) -> None:
    first = run_cli("build", "--today", "2026-11-29", cwd=event_region)
    assert first.returncode == 0, first.stderr
    data = (event_region / "build/dinkes/agenda.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    # the last change of the item (its commit), never the event's start
    assert events["Rapat"].decoded("DTSTAMP") == datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    assert events["Rapat"]["ORGANIZER"].params["CN"] == "Bappeda dan Dinkes"
    assert str(events["Rapat"]["ORGANIZER"]) == "mailto:dinkes@ujikab.go.id"
    assert events["Senam"]["ORGANIZER"].params["CN"] == "Dinas Kesehatan"
    again = run_cli("build", "--clean", "--today", "2026-11-30", cwd=event_region)
    assert again.returncode == 0, again.stderr
    assert (event_region / "build/dinkes/agenda.ics").read_bytes() == data


def test_event_json_ld_always_has_a_location_and_uses_the_organizer(event_region: Path) -> None:
    done = run_cli("build", "--today", "2026-11-29", cwd=event_region)
    assert done.returncode == 0, done.stderr
    rapat = jsonld_of(event_region / "build/dinkes/agenda/rapat/index.html")
    assert rapat["location"]["name"] == "Aula"
    assert rapat["organizer"] == {"@type": "Organization", "name": "Bappeda dan Dinkes"}
    senam = jsonld_of(event_region / "build/dinkes/agenda/senam/index.html")
    assert senam["location"]["address"]["streetAddress"] == "Jl. Merdeka 1"
    assert senam["organizer"]["name"] == "Dinas Kesehatan"
    warning = ("sites/dinkes/content/agenda/senam.md:3: warning: event has no 'location' "
               "(its Event data uses the agency's address)")
    assert warning in done.stderr
    checked = run_cli("check", "--today", "2026-11-29", cwd=event_region)
    assert warning in checked.stdout + checked.stderr


def test_search_pages_are_noindex_on_the_portal_too(built: Built) -> None:
    for page in [built.out / "cari/index.html", *(built.out / slug / "cari/index.html"
                                                   for slug in built.sites)]:
        robots = re.findall(r'<meta name="robots" content="([^"]+)"',
                            page.read_text(encoding="utf-8"))
        assert robots and "noindex" in robots[0], page
