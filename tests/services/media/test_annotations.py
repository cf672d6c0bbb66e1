"""Drawings on review comments: the vector JSON is bounded and checked, stored with the
comment's timecode and frame, refused (with nothing stored) when anything is wrong."""

from __future__ import annotations

import json

import pytest

from portal.db import tenant_session
from portal.models import Comment
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.media.annotations import (
    MAX_BYTES,
    MAX_LABEL,
    MAX_POINTS,
    MAX_SHAPES,
    MAX_TOTAL_POINTS,
    parse_drawing,
)
from portal.services.media.comments import add_asset_comment, asset_drawings, asset_thread
from tests.factories import Studio, make_studio, ready_version

ARROW = {"type": "arrow", "color": "red", "points": [[0.25, 0.3], [0.6, 0.7]]}


def drawing(*shapes: dict) -> str:
    return json.dumps({"v": 1, "shapes": list(shapes or [ARROW])})


def shape(**changes) -> dict:
    return {**ARROW, **changes}


def test_every_shape_type_round_trips_rounded() -> None:
    shapes = [
        {"type": "pen", "color": "green", "points": [[0, 0], [0.123456789, 1], [1, 0.5]]},
        ARROW,
        {"type": "rect", "color": "blue", "points": [[0.1, 0.1], [0.2, 0.2]]},
        {"type": "ellipse", "color": "white", "points": [[0.9, 0.9], [0.5, 0.5]]},
        {"type": "text", "color": "yellow", "points": [[0.5, 0.5]], "text": "  Logo   here "},
    ]
    stored = parse_drawing(drawing(*shapes))
    assert stored is not None and [s["type"] for s in stored["shapes"]] == [
        "pen",
        "arrow",
        "rect",
        "ellipse",
        "text",
    ]
    assert stored["shapes"][0]["points"][1] == [0.1235, 1.0]
    assert stored["shapes"][4]["text"] == "Logo here"
    assert parse_drawing("") is None and parse_drawing(None) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (drawing(shape(type="star")), "unknown shape type 'star'"),
        (drawing({"color": "red", "points": [[0, 0]]}), "needs a type"),
        (drawing(shape(color="#f0f")), "unknown colour"),
        (drawing(shape(points=[[0.2, 1.01], [0.5, 0.5]])), "from 0 to 1"),
        (drawing(shape(points=[[-0.1, 0.5], [0.5, 0.5]])), "from 0 to 1"),
        (drawing(shape(points=[[True, 0.5], [0.5, 0.5]])), "pair of numbers"),
        (drawing(shape(points=[["0.1", 0.5], [0.5, 0.5]])), "pair of numbers"),
        (drawing(shape(points=[[0.1, 0.5, 0.2], [0.5, 0.5]])), "pair of numbers"),
        (drawing(shape(points=[[0.1, 0.5]])), "exactly two points"),
        (drawing(shape(onclick="alert(1)")), "unexpected field 'onclick'"),
        (drawing(shape(type="pen", points=[[0, 0]] * (MAX_POINTS + 1))), "2 to 1000 points"),
        (drawing(*[ARROW] * (MAX_SHAPES + 1)), "1 to 50 shapes"),
        (
            drawing(*[shape(type="pen", points=[[0, 0]] * MAX_POINTS)] * 6),
            f"at most {MAX_TOTAL_POINTS} points",
        ),
        (
            drawing(shape(type="text", points=[[0, 0]], text="x" * (MAX_LABEL + 1))),
            "at most 200 characters",
        ),
        (drawing(shape(type="text", points=[[0, 0]], text=" \n ")), "cannot be empty"),
        (drawing(shape(type="text", points=[[0, 0]], text=["<b>"])), "must be text"),
        (
            '{"v": 1, "shapes": [{"type": "arrow", "color": "red", "points": [[NaN, 0], [0, 0]]}]}',
            "from 0 to 1",
        ),  # fmt: skip
        (json.dumps({"v": 2, "shapes": [ARROW]}), "unsupported drawing version"),
        (json.dumps({"v": 1, "shapes": []}), "1 to 50 shapes"),
        (json.dumps({"v": 1}), "'shapes' is missing"),
        ("[1, 2]", "JSON object"),
        ("{not json", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "too large"),
        (json.dumps({"v": 1, "shapes": [ARROW], "pad": "x" * MAX_BYTES}), "too large"),
    ],
)
def test_malformed_drawings_are_refused_with_a_clear_message(raw, message) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        parse_drawing(raw)
    assert caught.value.user_message.startswith("The drawing cannot be saved")


def test_script_in_a_label_is_kept_as_text() -> None:
    label = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    stored = parse_drawing(drawing(shape(type="text", points=[[0.1, 0.1]], text=label)))
    assert stored is not None and stored["shapes"][0]["text"] == label


def test_drawing_round_trips_with_timecode_and_frame(studio: Studio) -> None:
    asset = ready_version(studio)
    label = shape(type="text", points=[[0.1, 0.9]], text="<script>x</script> call 0412 345 678")
    with tenant_session(studio.member_ctx) as session:
        comment = add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body="Arrow at the logo",
            timecode="2.5",
            annotation=drawing(ARROW, label),
        )
        ranged = add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body="Whole shot",
            timecode="4",
            end="6",
            annotation=drawing(shape(type="rect", points=[[0, 0], [1, 1]])),
        )
        add_asset_comment(
            session=session, asset_id=asset.id, author_id=None, body="plain", timecode=1
        )
    with tenant_session(studio.admin_ctx) as session:
        stored = session.get(Comment, comment.id)
        marks = asset_drawings(session=session, asset_id=asset.id)
        views = asset_thread(session=session, asset_id=asset.id)
    assert stored.meta["timecode"] == 2.5 and stored.meta["frame"] == 62
    assert stored.meta["annotation"]["shapes"][0] == ARROW
    # Label text is stored as text (escaped when drawn) and masked like comment bodies.
    assert (
        stored.meta["annotation"]["shapes"][1]["text"] == "<script>x</script> call [phone removed]"
    )
    assert [(m.id, m.start, m.end, m.frame) for m in marks] == [
        (str(comment.id), 2.5, None, 62),
        (str(ranged.id), 4.0, 6.0, 100),
    ]
    assert [v.has_drawing for v in views] == [False, True, True]


def test_refused_drawing_or_reply_stores_nothing(studio: Studio) -> None:
    asset = ready_version(studio)
    with tenant_session(studio.member_ctx) as session:
        with pytest.raises(InvalidInput, match="unknown colour"):
            add_asset_comment(
                session=session,
                asset_id=asset.id,
                author_id=None,
                body="x",
                timecode=1,
                annotation=drawing(shape(color="pink")),
            )
        root = add_asset_comment(
            session=session, asset_id=asset.id, author_id=None, body="root", timecode=1
        )
        with pytest.raises(InvalidInput, match="not on a reply"):
            add_asset_comment(
                session=session,
                asset_id=asset.id,
                author_id=None,
                body="reply",
                reply_to_id=root.id,
                annotation=drawing(),
            )
    with tenant_session(studio.admin_ctx) as session:
        assert session.query(Comment).filter_by(parent_id=asset.id).count() == 1


def test_drawing_on_a_version_the_caller_cannot_see_is_refused(studio: Studio) -> None:
    asset = ready_version(studio)
    other = make_studio()
    with tenant_session(other.member_ctx) as session:
        with pytest.raises(NotFound):
            add_asset_comment(
                session=session,
                asset_id=asset.id,
                author_id=None,
                body="x",
                timecode=1,
                annotation=drawing(),
            )
        with pytest.raises(NotFound):
            asset_drawings(session=session, asset_id=asset.id)
    with tenant_session(studio.admin_ctx) as session:
        assert session.query(Comment).filter_by(parent_id=asset.id).count() == 0
