"""Stage 8, pure part: line/block boilerplate classifier for plain-text input.

Three modules, one concern each:

* :mod:`.features`: every line described by the named columns of
  ``FEATURE_NAMES`` (length, punctuation, stop-word density for the page
  language, UI phrase coverage from ``seeds/phrases/*.txt``, repetition,
  list/table-row shape, position relative to the headline and to the lines
  earlier stages removed, and the same cues of its neighbours), computed per
  page with numpy;
* :mod:`.model`: the resources the driver loads (stop-word lists, phrases,
  the two gradient-boosted tree ensembles of ``seeds/boilerplate/model.json``
  trained by ``bench/train_boilerplate.py``) and the line log-odds;
* :mod:`.decision`: the main-text region, lists kept with the line that
  introduces them, the removal reason, and the stage :func:`remove_boilerplate`.

``remove_boilerplate`` needs the resources: a call without them raises
:class:`MissingResources` (workers get them from the driver and never read
``seeds/``).
"""

from transforms.text.boilerplate.decision import (
    ANCHOR_KINDS,
    CONCEPT_REASON,
    FALLBACK_TOP,
    MissingResources,
    Verdict,
    anchor_lines,
    classify_segments,
    decide,
    fill_gaps,
    keep_adjacent_embedded_posts,
    keep_embedded_posts,
    keep_introduced_lists,
    keep_mostly_kept_lists,
    line_weights,
    reach_prose,
    removal_reason,
    removal_reasons,
    remove_boilerplate,
    trim_furniture_edges,
)
from transforms.text.boilerplate.features import (
    COL,
    FEATURE_NAMES,
    LINE_FEATURES,
    MAX_LIST_WORDS,
    column,
    line_features,
    list_structure,
    page_features,
)
from transforms.text.boilerplate.model import (
    STAGE2_EXTRA,
    BoilerplateResources,
    TreeModel,
    line_scores,
    load_resources,
    rule_scores,
    stage2_features,
)

__all__ = [
    "ANCHOR_KINDS", "CONCEPT_REASON", "FALLBACK_TOP", "MissingResources", "Verdict", "anchor_lines",
    "classify_segments", "decide", "fill_gaps", "keep_embedded_posts", "keep_introduced_lists",
    "keep_mostly_kept_lists", "keep_adjacent_embedded_posts",
    "line_weights", "reach_prose", "remove_boilerplate", "removal_reason", "removal_reasons",
    "trim_furniture_edges", "COL",
    "FEATURE_NAMES", "LINE_FEATURES", "MAX_LIST_WORDS", "column", "line_features", "list_structure",
    "page_features", "STAGE2_EXTRA", "BoilerplateResources", "TreeModel", "line_scores", "load_resources",
    "rule_scores", "stage2_features",
]
