"""The portal's views of the scorecard: /status/ (and one page per state), status.json, .csv.

The portal measures every agency once (`portal_scores`) from the summaries and build results
the pipeline hands it; `status_outputs` renders those same SiteScores three ways.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from skpdgen import charts
from skpdgen.config.region import Region
from skpdgen.i18n import Translator
from skpdgen.render import Output
from skpdgen.scorecard import (
    SCORE_PARTS,
    STATES,
    WEEKS,
    BuildHealth,
    Identity,
    ScoreInput,
    SiteScore,
    measure_all,
    state_counts,
    status_csv,
    status_document,
    status_json,
)
from skpdgen.summary import SiteSummary

if TYPE_CHECKING:
    pass

# render.page of the portal: (path, template, page, agencies) -> Output
PageRenderer = Callable[[str, str, dict[str, Any], list[dict[str, Any]]], Output]

STATE_COLORS = {"aktif": "#2e7d32", "kurang aktif": "#9a5b00", "mati": "#c62828"}


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
    rows = sorted((_row(s, region, t, published is None or s.slug in published)
                   for s in scores), key=lambda r: (-r["score"], r["name"]))
    counts = state_counts(scores)
    weeks = week_ranges(today)
    common = {
        "kind": "portal-status", "counts": counts, "total": len(scores),
        "states": [{"state": s, "slug": state_slug(s), "label": t.label("states", s),
                    "count": counts[s]} for s in STATES],
        "kinds": sorted({(r["kind"], r["kind_label"]) for r in rows}, key=lambda k: k[1]),
        "parts": [{"name": p.name, "weight": p.weight,
                   "label": t(f"status.part.{p.name}"),
                   "rule": t(f"status.rule.{p.name}", stale=region.stale_days,
                             dead=region.dead_days)} for p in SCORE_PARTS],
        "stale_days": region.stale_days, "dead_days": region.dead_days,
        "week_chart": _week_chart(scores, weeks, t),
        "week_table": _week_table(scores, weeks, t),
        "kind_chart": _kind_chart(scores, t),
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


def _row(score: SiteScore, region: Region, t: Translator, published: bool = True
         ) -> dict[str, Any]:
    """One agency as the template shows it: the score's fields plus labels and a sparkline."""
    row = score.to_json()
    local = score.url == f"{region.base_url}{score.slug}/"
    weekly = score.weekly
    row.update({
        "href": (f"{score.slug}/" if local else score.url) if published else None,
        "unbuilt": not published,
        "kind_label": t.label("kinds", score.kind),
        "state_label": t.label("states", score.state),
        "state_slug": state_slug(score.state),
        "state_rank": len(STATES) - STATES.index(score.state),   # sorts aktif first
        "last_update_date": date.fromisoformat(score.last_update) if score.last_update else None,
        "parts": [{"label": t(f"status.part.{p.name}"), "points": score.score_parts[p.name],
                   "weight": p.weight} for p in SCORE_PARTS],
        "weekly_total": sum(weekly),
        "spark": charts.sparkline(
            weekly, ident=f"spark-{score.slug}",
            title=t("status.spark_title", name=score.name),
            desc=t("status.spark_desc", weeks=WEEKS, total=sum(weekly),
                   most=max(weekly, default=0), recent=sum(weekly[-4:])),
            color=STATE_COLORS[score.state]),
    })
    return row


def _week_label(week: tuple[date, date], t: Translator) -> str:
    return f"{t.date_short(week[0])} – {t.date_short(week[1])}"


def _by_state_per_week(scores: list[SiteScore]) -> list[list[int]]:
    """[week][state] items published, oldest week first."""
    columns = [[0] * len(STATES) for _ in range(WEEKS)]
    for score in scores:
        for week, count in enumerate(score.weekly):
            columns[week][STATES.index(score.state)] += count
    return columns


def _state_series(t: Translator) -> list[charts.Series]:
    return [charts.Series(state_slug(s), t.label("states", s) or s, STATE_COLORS[s])
            for s in STATES]


def _week_chart(scores: list[SiteScore], weeks: list[tuple[date, date]], t: Translator
                ) -> Markup:
    columns = _by_state_per_week(scores)
    total = sum(sum(c) for c in columns)
    return charts.stacked_columns(
        columns, _state_series(t), ident="chart-weeks",
        title=t("status.week_chart_title", weeks=WEEKS),
        desc=t("status.week_chart_desc", weeks=WEEKS, total=total,
               most=max((sum(c) for c in columns), default=0)),
        labels=[_week_label(w, t) for w in weeks],
        axis=(t.date_short(weeks[0][0]), t.date_short(weeks[-1][1])))


def _week_table(scores: list[SiteScore], weeks: list[tuple[date, date]], t: Translator
                ) -> list[dict[str, Any]]:
    """The week chart's numbers, for its data table."""
    return [{"label": _week_label(week, t), "counts": counts, "total": sum(counts)}
            for week, counts in zip(weeks, _by_state_per_week(scores), strict=True)]


def _kind_chart(scores: list[SiteScore], t: Translator) -> Markup:
    kinds: dict[str, list[int]] = {}
    for score in scores:
        kinds.setdefault(score.kind, [0] * len(STATES))[STATES.index(score.state)] += 1
    rows = sorted(((t.label("kinds", kind) or kind, counts) for kind, counts in kinds.items()),
                  key=lambda row: row[0])
    counts = state_counts(scores)
    return charts.stacked_rows(
        rows, _state_series(t), ident="chart-kinds", title=t("status.kind_chart_title"),
        desc=t("status.kind_chart_desc", total=len(scores),
               **{state_slug(s).replace("-", "_"): n for s, n in counts.items()}))
