"""Pure builders of the Alarms, Health and Backlog pages and the alarm markers."""

from __future__ import annotations

import json

import pandas as pd

from config.options import MetricsOptions
from dashboard.alarm_view import alarm_choices, count_by_category, order_alarms
from dashboard.annotations import add_alarm_markers, alarm_markers
from dashboard.backlog_charts import backlog_ever_used, build_folder_size_figure
from dashboard.health_charts import build_gc_pause_figure, health_thresholds


def transition(at: float, condition: str, scope: str, from_state: str, to_state: str) -> dict:
    return {
        "at": at,
        "condition": condition,
        "scope": scope,
        "from_state": from_state,
        "to_state": to_state,
        "severity": "Major",
        "value": None,
        "rule": "",
        "who": None,
    }


def test_markers_are_raises_and_clears_of_the_chosen_scopes_or_conditions() -> None:
    frame = pd.DataFrame(
        [
            transition(
                30, "StatisticsStale", "A", "active_unacknowledged", "normal"
            ),  # not a clear
            transition(10, "StatisticsStale", "A", "normal", "active_unacknowledged"),
            transition(20, "StatisticsStale", "A", "active_unacknowledged", "active_acknowledged"),
            transition(25, "StatisticsStale", "A", "active_acknowledged", "normal"),
            transition(12, "StatisticsStale", "B", "normal", "active_unacknowledged"),
            transition(14, "GC Latency", "global", "normal", "active_unacknowledged"),
            transition(15, "PacingRequestsFailed", "global", "normal", "active_unacknowledged"),
        ]
    )
    markers = alarm_markers(frame, scopes=["A"], conditions=["PacingRequestsFailed"])
    assert [(m.at, m.kind, m.condition) for m in markers] == [
        (10.0, "raise", "StatisticsStale"),
        (15.0, "raise", "PacingRequestsFailed"),
        (25.0, "clear", "StatisticsStale"),
        (30.0, "clear", "StatisticsStale"),
    ]
    assert markers[0].text == "StatisticsStale (A) raised · Major"
    assert len(alarm_markers(frame)) == 6, "no filter: every raise and clear"
    assert alarm_markers(frame, limit=2)[-1].at == 30.0, "the newest are kept"


def test_markers_become_vertical_lines_and_hoverable_points() -> None:
    frame = pd.DataFrame(
        [transition(1_000_000, "GC Latency", "global", "normal", "active_unacknowledged")]
    )
    figure = add_alarm_markers(pd_figure(), alarm_markers(frame), "Europe/Paris")
    line, point = figure.data[-2], figure.data[-1]
    assert list(line.y) == [0.0, 1.0, None] and line.line.dash == "dot"
    assert line.x[0] == line.x[1] and line.x[0].isoformat() == "1970-01-12T14:46:40+01:00"
    assert point.name == "alarm raised"
    assert figure.data[-1].yaxis == "y9"


def pd_figure():  # type: ignore[no-untyped-def]
    import plotly.graph_objects as go

    return go.Figure(go.Scatter(x=[1, 2], y=[1, 2]))


def active_frame() -> pd.DataFrame:
    rows = [
        ("a", "Minor", "active_unacknowledged", 100.0),
        ("b", "Critical", "active_acknowledged", 50.0),
        ("c", "Major", "cleared_unacknowledged", 10.0),
        ("d", "Major", "active_unacknowledged", 90.0),
        ("e", "Major", "active_unacknowledged", 20.0),
        ("f", "Critical", "shelved", 5.0),
    ]
    return pd.DataFrame(
        [
            {
                "instance_id": i,
                "condition": f"cond-{i}",
                "scope": "global",
                "severity": s,
                "state": state,
                "raised_at": at,
                "updated_at": at,
            }
            for i, s, state, at in rows
        ]
    )


def test_alarms_needing_attention_come_first_then_by_category_then_oldest() -> None:
    ordered = order_alarms(active_frame(), now=200.0)
    assert ordered["instance_id"].tolist() == ["e", "d", "a", "c", "b", "f"]
    assert ordered["age_s"].tolist()[0] == 180.0


def test_choices_map_alarm_ids_to_labels_never_positions() -> None:
    choices = alarm_choices(order_alarms(active_frame(), now=200.0), now=200.0)
    assert list(choices)[:2] == ["e", "d"]
    assert choices["e"] == "Major · cond-e · global · active, unacknowledged · 3 min"


def test_only_active_states_count_by_category() -> None:
    counts = count_by_category(active_frame())
    assert counts == {"Critical": 1, "Major": 2, "Minor": 1, "Warning": 0}


def test_thresholds_come_from_the_database_when_operators_edited_them() -> None:
    conditions = pd.DataFrame(
        {
            "name": ["GC Latency", "GC Frequency", "NoMasterNode"],
            "parameters": [json.dumps({"threshold_ms": 250}), "not json", "{}"],
        }
    )
    limits = health_thresholds(conditions, MetricsOptions(gc_frequency_threshold_per_min=30))
    assert (limits.gc_latency_ms, limits.gc_latency_from) == (250.0, "database")
    assert (limits.gc_frequency_per_min, limits.gc_frequency_from) == (30.0, "configuration")
    assert (limits.heap_usage_pct, limits.heap_usage_from) == (90.0, "configuration")
    assert health_thresholds(None, MetricsOptions()).gc_latency_ms == 1000.0


def test_the_gc_pause_chart_has_a_line_per_generation_and_the_threshold() -> None:
    generations = pd.DataFrame(
        {
            "node_id": ["n"] * 3,
            "at": [0.0, 0.0, 2.0],
            "generation": [0, 2, 0],
            "collections": [5, 1, 3],
            "pause_max_s": [0.001, 0.08, 0.002],
        }
    )
    series = pd.DataFrame({"node_id": ["n", "n"], "at": [0.0, 2.0]})
    figure = build_gc_pause_figure(generations, series, 50.0, "UTC")
    names = [trace.name for trace in figure.data]
    assert names == ["generation 0", "generation 2", "GC Latency threshold 50 ms"]
    assert list(figure.data[1].y) == [80.0]
    assert list(figure.data[2].y) == [50.0, 50.0]


def test_the_folder_chart_draws_both_disk_limits_and_an_idle_backlog_counts_as_unused() -> None:
    samples = pd.DataFrame(
        {
            "node_id": ["n", "n"],
            "at": [0.0, 60.0],
            "used_bytes": [0, 1024 * 1024],
            "pending_items": [0, 0],
            "processing_items": [0, 0],
            "failed_items": [0, 0],
            "backlogged_total": [0, 0],
        }
    )
    figure = build_folder_size_figure(samples, 500, 1000, "UTC")
    assert [list(trace.y) for trace in figure.data[1:]] == [[500, 500], [1000, 1000]]
    assert list(figure.layout.yaxis.range) == [0, 1.3], "1 MB used: the axis follows the curve"
    assert "far above this scale" in figure.layout.annotations[0].text
    near = build_folder_size_figure(
        samples.assign(used_bytes=[0, 400 * 1024 * 1024]), 500, 1000, "UTC"
    )
    assert near.layout.yaxis.range is None and not near.layout.annotations
    assert not backlog_ever_used(samples)
    assert backlog_ever_used(samples.assign(backlogged_total=[0, 3]))


def test_a_memory_threshold_far_above_the_curve_is_written_not_drawn_to_scale() -> None:
    from dashboard.health_charts import MB, build_memory_figure

    series = pd.DataFrame(
        {
            "node_id": ["n", "n"],
            "at": [0.0, 2.0],
            "rss_bytes": [100 * MB, 200 * MB],
            "memory_limit_bytes": [16_000 * MB, 16_000 * MB],
            "heap_current_bytes": [None, None],
        }
    )
    far = build_memory_figure(series, 90.0, "UTC")
    assert list(far.layout.yaxis.range) == [0, 260.0]
    assert "far above this scale" in far.layout.annotations[0].text
    near = build_memory_figure(series.assign(memory_limit_bytes=[250 * MB] * 2), 90.0, "UTC")
    assert near.layout.yaxis.range is None and not near.layout.annotations
    assert list(near.data[-1].y) == [225.0, 225.0], "the line drawn at 90 % of 250 MB"


def test_the_flood_chart_spans_the_range_and_colours_flood_buckets() -> None:
    from dashboard.alarm_view import build_flood_figure

    per_bucket = pd.DataFrame({"bucket_start": [600.0, 1200.0], "alarms": [3, 12]})
    figure = build_flood_figure(per_bucket, 600.0, 0.0, 3600.0, "UTC")
    assert list(figure.data[0].marker.color) == ["#1f77b4", "#d62728"]
    assert list(figure.data[1].y) == [10.0, 10.0]
    assert [str(x)[:19] for x in figure.layout.xaxis.range] == [
        "1970-01-01 00:00:00",
        "1970-01-01 01:00:00",
    ]
