"""The portal's views of the scorecard: /status/ (and one page per state), status.json, .csv.

The portal measures every agency once (`portal_scores`) from the summaries and build results
the pipeline hands it; `status_outputs` renders those same SiteScores three ways. The page
answers a regent's question first: which agencies are `mati` or `kurang aktif`, and why, in
plain words (`reasons`), worst first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from skpdgen import charts
from skpdgen.config.agency import CONTACT_SCHEMA, SOCIAL_NETWORKS
from skpdgen.config.region import Region
from skpdgen.i18n import Translator
from skpdgen.render import Output
from skpdgen.scorecard import (
    SCORE_PARTS,
    STATES,
    WEEKS,
    WORST_FIRST,
    BuildHealth,
    Identity,
    ScoreInput,
    SiteScore,
    measure_all,
    state_counts,
    status_csv,
    status_document,
    status_json,
    worst_first,
)
from skpdgen.summary import SiteSummary

# render.page of the portal: (path, template, page, agencies) -> Output
PageRenderer = Callable[[str, str, dict[str, Any], list[dict[str, Any]]], Output]

# A state's colour: 4.5:1 or more on white (text) and 3:1 against the page (bars).
STATE_COLORS = {"aktif": "#2e7d32", "kurang aktif": "#9a5b00", "mati": "#c62828"}
NEWS_WINDOW_DAYS = 90          # "no news in the last 3 months"
MONTH_DAYS = 30


def state_slug(state: str) -> str:
    """'kurang aktif' -> 'kurang-aktif' (URLs, CSS classes, --fail-on)."""
    return state.replace(" ", "-")


def portal_scores(region: Region, summaries: list[SiteSummary],
                  health: Mapping[str, BuildHealth], today: date) -> list[SiteScore]:
    """Score every agency the portal knows, with the build health the pipeline recorded."""
    by_slug = {s.slug: s for s in summaries}
    inputs = []
    for slug in sorted(set(by_slug) | set(health)):
        summary = by_slug.get(slug)
        identity = Identity.of_summary(summary) if summary else Identity.of_config(region, slug)
        inputs.append(ScoreInput(identity, summary, health.get(slug, BuildHealth())))
    return measure_all(region, inputs, today)


def status_outputs(page: PageRenderer, agencies: list[dict[str, Any]], region: Region,
                   t: Translator, scores: list[SiteScore], today: date,
                   published: Collection[str] | None = None) -> Iterator[Output]:
    """status.json, status.csv, /status/ and /status/<state>/.

    `published`: the agencies whose site is in this output (None: all); the others are
    listed with their measurement but without a link to a folder that does not exist.
    """
    yield Output("status.json", status_json(status_document(scores, today, region))
                 .encode("utf-8"), origin="status")
    yield Output("status.csv", status_csv(scores).encode("utf-8"), origin="status")
    ordered = sorted(scores, key=worst_first)
    rows = [_row(s, region, t, published is None or s.slug in published) for s in ordered]
    counts = state_counts(scores)
    weeks = week_ranges(today)
    thresholds = {"stale": region.stale_days, "stale_next": region.stale_days + 1,
                  "dead": region.dead_days}
    states = [{"state": s, "slug": state_slug(s), "label": t.label("states", s),
               "count": counts[s], "explain": t(f"status.state_explain.{state_slug(s)}",
                                                **thresholds),
               "rows": [r for r in rows if r["state"] == s]} for s in WORST_FIRST]
    common = {
        "kind": "portal-status", "counts": counts, "total": len(scores),
        "states": states,
        "attention": [s for s in states if s["state"] != "aktif"],
        "kinds": sorted({(r["kind"], r["kind_label"]) for r in rows}, key=lambda k: k[1]),
        "parts": [{"name": p.name, "weight": p.weight,
                   "label": t(f"status.part.{p.name}"),
                   "rule": t(f"status.rule.{p.name}", stale=region.stale_days,
                             dead=region.dead_days)} for p in SCORE_PARTS],
        "stale_days": region.stale_days, "dead_days": region.dead_days,
        "weeks": _week_chart(scores, weeks, t),
        "kind_rows": _kind_rows(scores, t),
    }
    yield page("status/", "portal/status.html",
               {**common, "title": t("portal.status_title"), "filter": None, "rows": rows},
               agencies)
    for state in STATES:
        title = f"{t('portal.status_title')}: {t.label('states', state)}"
        yield page(f"status/{state_slug(state)}/", "portal/status.html",
                   {**common, "title": title, "filter": state,
                    "rows": [r for r in rows if r["state"] == state]}, agencies)


def week_ranges(today: date) -> list[tuple[date, date]]:
    """(first day, last day) of each of the WEEKS weeks, oldest first; the last ends today."""
    return [(today - timedelta(days=7 * (WEEKS - 1 - i) + 6),
             today - timedelta(days=7 * (WEEKS - 1 - i))) for i in range(WEEKS)]


def duration(days: int, t: Translator) -> str:
    """'12 hari', '3 bulan': how long ago, in the words a reader uses."""
    if days < 2 * MONTH_DAYS:
        return t("status.days", n=days)
    return t("status.months", n=days // MONTH_DAYS)


def _names(keys: list[str], group: str, t: Translator) -> str:
    return ", ".join(t(f"status.{group}.{key}") for key in keys)


def reasons(score: SiteScore, region: Region, t: Translator) -> list[str]:
    """Why an agency has its state and what it misses, in plain words, most important first."""
    out: list[str] = []
    days = score.days_since_update
    if days is None:
        out.append(t("status.reason.never"))
    elif days > region.stale_days:
        out.append(t("status.reason.no_update", since=duration(days, t)))
    news = score.sections.get("berita", {}).get("published_90d", 0)
    if days is not None and not news:
        out.append(t("status.reason.no_news", months=NEWS_WINDOW_DAYS // MONTH_DAYS))
    if score.build != "ok":
        out.append(t("status.reason.build_failed", count=score.build_errors or 0)
                   if score.build_errors else t("status.reason.build_failed_plain"))
        if score.published_is_old:
            out.append(t("status.reason.old_live"))
    if not score.innovations:
        out.append(t("status.reason.no_innovation"))
    if len(score.social_missing) == len(SOCIAL_NETWORKS):
        out.append(t("status.reason.no_social"))
    elif score.social_missing:
        out.append(t("status.reason.not_listed",
                     names=_names(score.social_missing, "social_names", t)))
    if len(score.contact_missing) == len(CONTACT_SCHEMA):
        out.append(t("status.reason.no_contact"))
    elif score.contact_missing:
        out.append(t("status.reason.not_filled",
                     names=_names(score.contact_missing, "contact_names", t)))
    return out


def _row(score: SiteScore, region: Region, t: Translator, published: bool = True
         ) -> dict[str, Any]:
    """One agency as the template shows it: the score's fields plus labels and reasons."""
    row = score.to_json()
    local = score.url == f"{region.base_url}{score.slug}/"
    weekly = score.weekly
    row.update({
        "href": (f"{score.slug}/" if local else score.url) if published else None,
        "unbuilt": not published,
        "kind_label": t.label("kinds", score.kind),
        "state_label": t.label("states", score.state),
        "state_slug": state_slug(score.state),
        # one number that sorts worst first (descending): the state, then the lowest score
        "worst_rank": WORST_FIRST[::-1].index(score.state) * 1000 + (100 - score.score),
        "last_update_date": date.fromisoformat(score.last_update) if score.last_update else None,
        "parts": [{"label": t(f"status.part.{p.name}"), "points": score.score_parts[p.name],
                   "weight": p.weight} for p in SCORE_PARTS],
        "reasons": reasons(score, region, t),
        "weekly_total": sum(weekly),
        "spark": charts.sparkline(
            weekly, ident=f"spark-{score.slug}",
            title=t("status.spark_title", name=score.name),
            desc=t("status.spark_desc", weeks=WEEKS, total=sum(weekly),
                   most=max(weekly, default=0), recent=sum(weekly[-4:]))),
    })
    return row


def _week_label(week: tuple[date, date], t: Translator) -> str:
    return f"{t.date_short(week[0])} – {t.date_short(week[1])}"


def _week_chart(scores: list[SiteScore], weeks: list[tuple[date, date]], t: Translator
                ) -> dict[str, Any]:
    """Items published per week by all agencies, and how many agencies published: counts of
    what happened that week, in one colour (never coloured by today's state)."""
    totals = [sum(s.weekly[w] for s in scores) for w in range(WEEKS)]
    publishers = [sum(1 for s in scores if s.weekly[w]) for w in range(WEEKS)]
    labels = [_week_label(w, t) for w in weeks]
    most = max(totals, default=0)
    return {
        "svg": charts.columns(
            totals, ident="chart-weeks", labels=labels,
            title=t("status.week_chart_title", weeks=WEEKS),
            desc=t("status.week_chart_desc", weeks=WEEKS, total=sum(totals), most=most,
                   recent=sum(totals[-4:]))),
        "most": most, "first": t.date_short(weeks[0][0]), "last": t.date_short(weeks[-1][1]),
        "table": [{"label": label, "total": total, "agencies": agencies}
                  for label, total, agencies in zip(labels, totals, publishers, strict=True)],
    }


def _kind_rows(scores: list[SiteScore], t: Translator) -> list[dict[str, Any]]:
    """One bar per kind of agency: how many of its agencies are in each state today."""
    kinds: dict[str, list[int]] = {}
    for score in scores:
        kinds.setdefault(score.kind, [0] * len(WORST_FIRST))[WORST_FIRST.index(score.state)] += 1
    series = [charts.Series(state_slug(s), t.label("states", s) or s, STATE_COLORS[s])
              for s in WORST_FIRST]
    largest = max((sum(c) for c in kinds.values()), default=0)
    rows = []
    for kind, counts in sorted(kinds.items(), key=lambda k: t.label("kinds", k[0]) or k[0]):
        label = t.label("kinds", kind) or kind
        text = ", ".join(f"{n} {t.label('states', s)}" for s, n in zip(WORST_FIRST, counts,
                                                                      strict=True) if n)
        rows.append({
            "label": label, "total": sum(counts), "text": text,
            "svg": charts.stacked_bar(counts, series, ident=f"chart-kind-{kind}",
                                      title=label, desc=text, largest=largest)})
    return rows
