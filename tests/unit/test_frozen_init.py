"""The hand-written ``__init__`` of the frozen dataclasses built per simulated ticket
(``domain.frozen``) takes the same arguments as the generated one and builds the same object."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from queue_app.domain.dispatch import Candidate
from queue_app.domain.frozen import NEW
from queue_app.domain.ticket import Change, Item, Outcome, Status, Ticket

CLASSES = [Candidate, Change, Item]


def generated(cls: type) -> type:
    """The same fields in a dataclass whose ``__init__`` dataclasses wrote."""
    specs = [(f.name, f.type, f) for f in dataclasses.fields(cls)]
    copies = [
        (name, tp, dataclasses.field(default=f.default, default_factory=f.default_factory))
        for name, tp, f in specs
    ]
    return dataclasses.make_dataclass(f"Generated{cls.__name__}", copies, frozen=True, slots=True)


@pytest.mark.parametrize("cls", CLASSES)
def test_same_signature_as_the_generated_init(cls: type) -> None:
    mine = list(inspect.signature(cls).parameters.values())
    theirs = list(inspect.signature(generated(cls)).parameters.values())
    assert [p.name for p in mine] == [p.name for p in theirs]
    assert [p.kind for p in mine] == [p.kind for p in theirs]
    for p, f in zip(mine, dataclasses.fields(cls), strict=True):
        if f.default_factory is not dataclasses.MISSING:
            assert p.default is NEW
        elif f.default is dataclasses.MISSING:
            assert p.default is inspect.Parameter.empty
        else:
            assert p.default == f.default and type(p.default) is type(f.default)


@pytest.mark.parametrize("cls", CLASSES)
def test_sets_every_field_and_stays_frozen(cls: type) -> None:
    args = [object() for _ in dataclasses.fields(cls)]
    obj = cls(*args)
    assert [getattr(obj, f.name) for f in dataclasses.fields(cls)] == args
    assert obj == cls(*args) and hash(obj) == hash(cls(*args))
    by_name = cls(**{f.name: a for f, a in zip(dataclasses.fields(cls), args, strict=True)})
    assert by_name == obj
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, dataclasses.fields(cls)[0].name, 1)
    assert dataclasses.replace(obj) == obj


@pytest.mark.parametrize("cls", CLASSES)
def test_defaults_as_the_generated_init(cls: type) -> None:
    required = [f for f in dataclasses.fields(cls) if f.default is f.default_factory]
    args = [object() for _ in required]
    mine, theirs = cls(*args), generated(cls)(*args)
    names = [f.name for f in dataclasses.fields(cls)]
    assert [getattr(mine, n) for n in names] == [getattr(theirs, n) for n in names]


def test_a_default_factory_gives_a_fresh_value_each_time() -> None:
    t = Ticket(1, "d", "A001", Status.WAITING, (Item("M1", Outcome.COMPLETED),), 0.0, 0.0)
    a, b = Change(t, "x"), Change(t, "x")
    assert a.detail == {} and a.detail is not b.detail
    assert Change(t, "x", None).detail is None  # as the generated __init__: None is a value
