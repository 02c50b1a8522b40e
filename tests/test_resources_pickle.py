"""What the cleaning resources cost to ship: Beam pickles (and bz2-compresses) them into every
step that carries them, and each worker process unpickles them per step (docs/performance.md)."""

from __future__ import annotations

import pickle

import justext

from transforms.patterns import fold
from transforms.text.boilerplate.model import ISO_TO_JUSTEXT, Stoplists


def test_stoplists_pickle_as_language_codes_and_read_on_first_use():
    lists = Stoplists(["en", "pt", "de"])
    shipped = pickle.dumps(lists)
    assert len(shipped) < 200  # the codes, not the words
    copy = pickle.loads(shipped)
    assert dict(copy) == {} and copy == lists
    assert copy.get("pt") == frozenset(fold(w) for w in justext.get_stoplist(ISO_TO_JUSTEXT["pt"]))
    assert set(copy) == {"pt"}  # only what was asked for is read
    assert copy.get("xx") is None and copy.get("xx", frozenset()) == frozenset()
    assert copy.get("pt") is copy.get("pt")  # read once


def test_boilerplate_resources_stay_small_to_ship(resources):
    """The line classifier's resources (stop lists, phrases, two tree ensembles) were 2.7 MB pickled
    with every stop list inside; the lists now travel as names."""
    shipped = pickle.dumps(resources.boilerplate, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(shipped) < 1_000_000
    copy = pickle.loads(shipped)
    assert copy.stoplists.codes == resources.boilerplate.stoplists.codes
    assert "the" in copy.stoplists.get("en")
