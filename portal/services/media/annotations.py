"""Drawings on a review comment's frame: resolution-independent vector JSON, validated here.

A drawing is `{"v": 1, "shapes": [...]}`. Every shape has a `type`, a `color` from PALETTE and
`points`: `[x, y]` pairs relative to the video's displayed picture (0..1 from its top-left corner,
letterboxing excluded), so it lands on the same spot of the picture at any player size. pen:
2..MAX_POINTS points; arrow: tail then head; rect and ellipse: two opposite corners; text: one
anchor point plus `text`, stored as plain text (the browser renders it as text, never as HTML).
Anything else is refused with a message saying what is wrong; nothing is stored. The drawing
lives in `comments.metadata["annotation"]` (see portal/services/media/comments.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from portal.services.core.errors import InvalidInput
from portal.services.core.validation import CONTROL
from portal.services.media.view_types import MAX_LABEL, PALETTE

VERSION = 1
SHAPE_TYPES = ("pen", "arrow", "rect", "ellipse", "text")
MAX_SHAPES = 50
MAX_POINTS = 1000  # one pen stroke
MAX_TOTAL_POINTS = 5000  # the whole drawing
MAX_BYTES = 64 * 1024  # the JSON as received
# Stored coordinates keep 4 decimals: under half a pixel across a 4K picture.
DECIMALS = 4

Coord = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)]
Point = tuple[Coord, Coord]
Color = Literal["red", "orange", "yellow", "green", "blue", "white"]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    color: Color


# A freehand stroke.
class Pen(_Shape):
    type: Literal["pen"]
    points: list[Point] = Field(min_length=2, max_length=MAX_POINTS)


# A straight arrow from the first point (tail) to the second (head).
class Arrow(_Shape):
    type: Literal["arrow"]
    points: list[Point] = Field(min_length=2, max_length=2)


# A rectangle between two opposite corners.
class Rect(_Shape):
    type: Literal["rect"]
    points: list[Point] = Field(min_length=2, max_length=2)


# An ellipse inscribed in the box between two opposite corners.
class Ellipse(_Shape):
    type: Literal["ellipse"]
    points: list[Point] = Field(min_length=2, max_length=2)


# A text label whose top-left corner sits at its one point.
class Label(_Shape):
    type: Literal["text"]
    points: list[Point] = Field(min_length=1, max_length=1)
    text: str = Field(min_length=1, max_length=MAX_LABEL, strict=True)


Shape = Annotated[Pen | Arrow | Rect | Ellipse | Label, Field(discriminator="type")]


# The whole drawing as stored in comments.metadata["annotation"].
class Drawing(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1]
    shapes: list[Shape] = Field(min_length=1, max_length=MAX_SHAPES)

    @model_validator(mode="after")
    def _bounded(self) -> Drawing:
        if sum(len(s.points) for s in self.shapes) > MAX_TOTAL_POINTS:
            raise ValueError(f"a drawing may hold at most {MAX_TOTAL_POINTS} points in all")
        return self


@dataclass(frozen=True)
class DrawingMark:
    """One comment's drawing as the player overlay needs it: when to show it and what."""

    id: str
    start: float
    # The end of a range comment, or None: then the drawing shows on `frame` only.
    end: float | None
    frame: int
    shapes: list[dict[str, Any]]


# How many points each shape takes, for the message when the count is wrong.
POINT_COUNTS = {
    "pen": f"a pen stroke takes 2 to {MAX_POINTS} points",
    "text": "a text label takes one point",
}


def _problem(exc: ValidationError) -> str:
    """The first validation error in words a reviewer can act on."""
    err = exc.errors(include_url=False)[0]
    loc, kind = list(err["loc"]), err["type"]
    tag = ""
    if len(loc) > 2 and loc[0] == "shapes" and loc[2] in SHAPE_TYPES:
        tag = str(loc.pop(2))
    where = f"shape {loc[1] + 1}: " if len(loc) > 1 and isinstance(loc[1], int) else ""
    field = loc[-1] if loc else ""
    in_point = len(loc) > 3 and loc[2] == "points"
    if kind == "union_tag_invalid":
        given = str(err.get("ctx", {}).get("tag", ""))[:20]
        reason = f"unknown shape type '{given}' (known: {', '.join(SHAPE_TYPES)})"
    elif kind == "union_tag_not_found":
        reason = "every shape needs a type"
    elif kind == "literal_error" and field == "color":
        reason = f"unknown colour (use one of {', '.join(PALETTE)})"
    elif kind == "literal_error" and field == "v":
        reason = f"unsupported drawing version (this portal reads version {VERSION})"
    elif kind in ("greater_than_equal", "less_than_equal", "finite_number"):
        reason = "points must lie on the picture (coordinates from 0 to 1)"
    elif in_point or (kind == "float_type"):
        reason = "each point is a pair of numbers [x, y]"
    elif kind == "missing":
        reason = f"'{field}' is missing"
    elif kind == "extra_forbidden":
        reason = f"unexpected field '{str(field)[:30]}'"
    elif kind in ("too_long", "too_short") and field == "shapes":
        reason = f"a drawing holds 1 to {MAX_SHAPES} shapes"
    elif kind in ("too_long", "too_short") and field == "points":
        reason = POINT_COUNTS.get(tag, f"{tag or 'this shape'} takes exactly two points")
    elif kind == "string_too_long":
        reason = f"text labels hold at most {MAX_LABEL} characters"
    elif kind == "string_too_short":
        reason = "a text label cannot be empty"
    elif kind == "string_type":
        reason = "a text label must be text"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        reason = "each shape must be an object"
    elif kind == "list_type" and field == "shapes":
        reason = "'shapes' must be a list"
    elif kind == "value_error":
        reason = str(err["msg"]).removeprefix("Value error, ")
    else:
        reason = f"{'.'.join(str(p) for p in loc) or 'the drawing'} is not valid"
    return f"The drawing cannot be saved: {where}{reason}."


def parse_drawing(
    raw: object, *, scrub: Callable[[str], str] | None = None
) -> dict[str, Any] | None:
    """The drawing to store (coordinates rounded, labels trimmed and passed through `scrub`),
    None when there is none; InvalidInput for anything malformed, oversized or unknown."""
    if raw is None or raw == {} or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str):
        if len(raw.encode()) > MAX_BYTES:
            raise InvalidInput(
                f"The drawing cannot be saved: it is too large (at most {MAX_BYTES // 1024} KB)."
            )
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise InvalidInput("The drawing cannot be saved: it is not valid JSON.") from None
    else:
        data = raw
    if not isinstance(data, dict):
        raise InvalidInput("The drawing cannot be saved: it must be a JSON object.")
    try:
        drawing = Drawing.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problem(exc)) from None
    return {"v": VERSION, "shapes": [_stored(s, scrub) for s in drawing.shapes]}


def _stored(shape: Pen | Arrow | Rect | Ellipse | Label, scrub) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    out: dict[str, Any] = {
        "type": shape.type,
        "color": shape.color,
        "points": [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in shape.points],
    }
    if isinstance(shape, Label):
        text = " ".join(shape.text.split())
        if not text:
            raise InvalidInput("The drawing cannot be saved: a text label cannot be empty.")
        if CONTROL.search(text):
            raise InvalidInput("The drawing cannot be saved: a text label has control characters.")
        out["text"] = scrub(text) if scrub else text
    return out


def drawing_marks_json(marks: list[DrawingMark]) -> str:
    """The marks as the overlay's data attribute carries them (JSON text)."""
    return json.dumps([asdict(m) for m in marks], separators=(",", ":"))
