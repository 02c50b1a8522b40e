"""Unit tests for the line boilerplate classifier (fixtures written for these tests)."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

from transforms.document import Doc, Segment
from transforms.text import boilerplate as bp
from transforms.text.normalize import normalize_text, segment

NAV = ["Home", "World", "Politics", "Business", "Technology", "Sport", "Sign in", "Subscribe", "Search"]
HEADLINE = "Harbour town votes to rebuild its old wooden pier after winter storms"
PARAGRAPHS_EN = [
    "The council of the small harbour town voted on Tuesday to rebuild the wooden pier that was badly "
    "damaged during the winter storms, ending a debate that had divided residents for most of the year.",
    "Engineers told the meeting that the old structure could not be repaired safely, and that a new pier "
    "would cost about twice as much as the town had set aside in its budget for the coming years.",
    "Why now?",
    "Several fishermen said they had been waiting for a decision since January, because the boats have had "
    "to moor in a neighbouring village and the extra travel has cut into what they earn in a season.",
    "The mayor said that work could start in the spring if the regional government agrees to pay part of "
    "the bill, and that the town would hold another public meeting before any contract is signed.",
]
SHARE = ["Share", "Share on Facebook", "Tweet", "Email", "Print"]
FOOTER = [
    "Related stories",
    "Lighthouse keeper retires after forty years",
    "Ferry timetable changes this summer",
    "© 2024 Harbour Gazette. All rights reserved.",
    "Privacy policy | Terms of use | Cookie settings",
]


def make_doc(lines: list[str], language: str = "en", headline_index: int | None = None) -> Doc:
    """A Doc as the boilerplate stage receives it (title line 0 already removed)."""
    text = normalize_text("\n".join(lines))
    segs = segment(text)
    headline_line = None
    if headline_index is not None:
        headline_line = segs[headline_index].line
        segs = [s for i, s in enumerate(segs) if i != headline_index]
    return Doc(id="t", source="<test>", file="<test>", raw=b"", input_format="text", text=text,
               title=HEADLINE, segments=segs, headline_line=headline_line, language=language)


def english_page() -> list[str]:
    return NAV + [HEADLINE] + SHARE[:3] + PARAGRAPHS_EN + SHARE + FOOTER


@pytest.fixture(scope="module")
def resources() -> bp.BoilerplateResources:
    return bp.load_resources()


@pytest.fixture(scope="module")
def rule_resources() -> bp.BoilerplateResources:
    return bp.load_resources(use_model=False)


def kept_and_reasons(doc: Doc, res) -> tuple[list[str], dict[str, str]]:
    verdicts = bp.classify_segments(doc.segments, title=doc.title, headline_line=doc.headline_line,
                                    language=doc.language, resources=res)
    assert len(verdicts) == len(doc.segments)
    kept = [s.text for s, v in zip(doc.segments, verdicts) if v.keep]
    reasons = {s.text: v.reason for s, v in zip(doc.segments, verdicts) if not v.keep}
    return kept, reasons


@pytest.mark.parametrize("which", ["model", "rule"])
def test_navigation_share_and_footer_removed_article_kept(which, resources, rule_resources):
    res = resources if which == "model" else rule_resources
    doc = make_doc(english_page(), headline_index=len(NAV))
    kept, reasons = kept_and_reasons(doc, res)
    for para in PARAGRAPHS_EN:
        if len(para) > 20:
            assert para in kept, para
    for line in NAV + SHARE + FOOTER:
        assert line not in kept, line
    assert reasons["Share on Facebook"] == "share_buttons"
    assert reasons["© 2024 Harbour Gazette. All rights reserved."] == "copyright"
    assert reasons["Sign in"] in {"navigation", "newsletter"}


def test_short_line_between_long_paragraphs_kept(resources):
    doc = make_doc(english_page(), headline_index=len(NAV))
    kept, _ = kept_and_reasons(doc, resources)
    assert "Why now?" in kept


def test_lone_long_line_inside_navigation_removed(resources):
    promo = ("Our journalism is made possible by readers like you, and every subscription helps us keep "
             "reporting on the stories that matter to this community.")
    lines = NAV[:5] + [promo] + NAV[5:] + [HEADLINE] + PARAGRAPHS_EN + FOOTER
    doc = make_doc(lines, headline_index=len(NAV) + 1)
    kept, reasons = kept_and_reasons(doc, resources)
    assert promo not in kept
    assert reasons[promo] != "article_text"
    assert PARAGRAPHS_EN[0] in kept


def test_portuguese_article_kept(resources):
    paras = [
        "A prefeitura da cidade anunciou nesta segunda-feira que as obras de reforma do mercado municipal "
        "devem começar no próximo mês, depois de quase dois anos de espera dos comerciantes da região.",
        "Segundo o secretário de obras, o projeto prevê a troca do telhado, a instalação de novos banheiros "
        "e a criação de um espaço para os produtores rurais venderem os seus produtos aos sábados.",
        "Os comerciantes afirmam que o prédio está em más condições há muito tempo e que a chuva tem "
        "causado prejuízos, principalmente para quem vende alimentos e precisa manter a mercadoria seca.",
    ]
    lines = ["Início", "Notícias", "Esportes", "Entrar", "Mercado municipal será reformado"] + paras + [
        "Compartilhe", "Facebook", "Twitter", "Leia também", "Todos os direitos reservados"]
    doc = make_doc(lines, language="pt", headline_index=4)
    kept, reasons = kept_and_reasons(doc, resources)
    assert kept == paras  # every paragraph, in order, and no navigation, share or footer line
    assert "Compartilhe" not in kept
    assert reasons["Compartilhe"] == "share_buttons"
    assert "Todos os direitos reservados" not in kept


def test_russian_article_kept(resources):
    paras = [
        "В понедельник городские власти сообщили, что ремонт старого моста через реку начнётся весной и "
        "продлится не меньше двух лет, а движение транспорта будет частично ограничено.",
        "По словам инженеров, конструкция моста находится в плохом состоянии, и откладывать работы больше "
        "нельзя, потому что нагрузка на него за последние годы выросла почти вдвое.",
        "Жители соседних районов опасаются пробок, но в мэрии обещают пустить дополнительные автобусы и "
        "открыть временную переправу для пешеходов на всё время ремонта.",
    ]
    lines = ["Главная", "Новости", "Поиск", "Войти", "Старый мост закроют на ремонт"] + paras + [
        "Поделиться", "Читайте также", "Все права защищены"]
    doc = make_doc(lines, language="ru", headline_index=4)
    kept, _ = kept_and_reasons(doc, resources)
    for p in paras:
        assert p in kept
    for line in ("Главная", "Поиск", "Поделиться", "Все права защищены"):
        assert line not in kept


def test_remove_boilerplate_moves_segments_and_counts(resources):
    doc = make_doc(english_page(), headline_index=len(NAV))
    counted: list[str] = []
    out = bp.remove_boilerplate(doc, counted.append, resources)
    assert len(out.segments) + len(out.removed) == len(doc.segments)
    assert all(r.kind == "boilerplate" and r.detail for r in out.removed)
    assert counted == ["boilerplate_" + r.detail for r in out.removed]
    assert {r.line for r in out.removed}.isdisjoint({s.line for s in out.segments})
    assert PARAGRAPHS_EN[0] in out.paragraphs


def test_empty_and_deterministic(resources):
    assert bp.classify_segments([], resources=resources) == []
    doc = make_doc(english_page(), headline_index=len(NAV))
    a = bp.classify_segments(doc.segments, title=doc.title, headline_line=doc.headline_line, resources=resources)
    b = bp.classify_segments(doc.segments, title=doc.title, headline_line=doc.headline_line, resources=resources)
    assert a == b


def test_unknown_language_and_cjk_do_not_crash(resources):
    segs = [Segment("東京都は十日、新しい公園の建設計画を発表した。住民の意見を聞いたうえで来年の春に着工する予定だという。", 0, 0),
            Segment("ホーム", 1, 0)]
    verdicts = bp.classify_segments(segs, language="ja", resources=resources)
    assert len(verdicts) == 2
    verdicts = bp.classify_segments(segs, language="und", resources=resources)
    assert len(verdicts) == 2


def test_resources_pickle(resources):
    again = pickle.loads(pickle.dumps(resources))
    doc = make_doc(english_page(), headline_index=len(NAV))
    assert bp.classify_segments(doc.segments, resources=again) == bp.classify_segments(doc.segments, resources=resources)


def test_tree_model_matches_manual_walk():
    # depth-1 stumps: feature 0 <= 0.5 -> leaf 0 else leaf 1
    m = bp.TreeModel(feature=np.array([[0], [1]]), threshold=np.array([[0.5], [2.0]]),
                     leaf=np.array([[-1.0, 1.0], [0.25, -0.25]]), depth=1, bias=0.1)
    x = np.array([[0.0, 3.0], [1.0, 1.0]])
    assert np.allclose(m.decision(x), [0.1 - 1.0 - 0.25, 0.1 + 1.0 + 0.25])


def test_no_resources_fails_loudly():
    # Workers get the resources from the driver; nothing reads seed files as a fallback.
    doc = make_doc(english_page(), headline_index=len(NAV))
    with pytest.raises(bp.MissingResources, match="load_resources"):
        bp.remove_boilerplate(doc, resources=None)
    with pytest.raises(bp.MissingResources):
        bp.classify_segments(doc.segments)


def test_features_by_name_match_a_line_by_line_reading(resources):
    # The page-level (vectorised) features agree with what each line says on its own.
    texts = ["Share on Facebook", "The mayor said on Tuesday that work could start in the spring, at 10:30.",
             "HOME", "Read more at www.example.com", "Apples, pears, plums", "May 3 -- Harbour pier, 8:00"]
    segs = [Segment(t, i, 0) for i, t in enumerate(texts)]
    x, concepts = bp.page_features(segs, language="en", resources=resources)
    col = lambda name: list(bp.column(x, name))  # noqa: E731
    assert col("ui_only")[0] == 1.0 and concepts[0] == "share"
    assert col("ends_sentence") == [0, 1, 0, 0, 0, 0]
    assert col("all_caps") == [0, 0, 1, 0, 0, 0]
    assert col("url") == [0, 0, 0, 1, 0, 0]
    assert col("date")[1] == 1.0 and col("date")[5] == 1.0 and col("date")[4] == 0.0
    assert col("comma_rate")[4] == pytest.approx(2 / 3)
    assert col("log_words")[4] == pytest.approx(np.log1p(3))
    assert col("digit_ratio")[1] == pytest.approx(4 / len(texts[1]))
    assert col("sentences")[1] == 1.0
    assert col("cap_ratio")[4] == pytest.approx(1 / 3)


def test_shipped_model_matches_features():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = bp.load_resources()
    assert res.model is not None and res.model2 is not None
    assert {"region", "inside", "outside"} <= set(res.params)  # the shipped model is the region decision


def test_list_introduced_by_colon_kept():
    # A kept line ending in ':' keeps the run of same-shaped short lines after it, and only that run.
    texts = [
        "The ferry company published its summer timetable on Monday, with more crossings than last year.",
        "The new sailings are:",
        "May 3 -- Harbour pier, 8:00",
        "May 10 -- Harbour pier, 9:30",
        "June 2 -- North quay, 7:45",
        "June 9 -- North quay, 8:15",
        "Share on Facebook",
        "Related stories",
    ]
    short = np.array([len(t.split()) <= bp.MAX_LIST_WORDS for t in texts])
    ui_only = np.array([False] * 6 + [True, True])
    run, colon = bp.list_structure(texts, short, ui_only)
    assert list(colon) == [0, 0, 1, 1, 1, 1, 0, 0]
    assert np.allclose(np.expm1(run[2:6]), 4)
    x = np.zeros((len(texts), len(bp.FEATURE_NAMES)))
    x[:, bp.FEATURE_NAMES.index("colon_list")] = colon
    x[1, bp.FEATURE_NAMES.index("ends_colon")] = 1.0
    keep = np.array([True, True, False, False, False, False, False, False])
    assert list(bp.keep_introduced_lists(keep, x)) == [True] * 6 + [False, False]
    # The introducing line may itself have been dropped, as long as it follows kept text.
    keep[1] = False
    assert list(bp.keep_introduced_lists(keep, x)) == [True] * 6 + [False, False]
    # Not after a dropped region.
    assert not bp.keep_introduced_lists(np.zeros(len(texts), dtype=bool), x).any()


def test_fill_gaps_brings_back_subheads_and_items_but_not_ui():
    n = 9
    x = np.zeros((n, len(bp.FEATURE_NAMES)))
    keep = np.array([True, False, True, False, False, False, True, False, True])
    x[keep, bp.COL["ends_sentence"]] = 1.0  # the kept lines are the article's sentences
    # lines 3-5: a three-line gap; line 7: a share button between kept lines
    x[7, bp.COL["ui_only"]] = 1.0
    assert list(bp.fill_gaps(keep, x, 2)) == [True, True, True, False, False, False, True, False, True]
    assert list(bp.fill_gaps(keep, x, 3)) == [True] * 7 + [False, True]
    # a line the page repeats (a menu entry) is not a subhead
    x[1, bp.COL["repeats"]] = 2.0
    assert not bp.fill_gaps(keep, x, 3)[1]
    # a gap after a teaser headline (no sentence end) stays out
    x[2, bp.COL["ends_sentence"]] = 0.0
    assert not bp.fill_gaps(keep, x, 3)[3:6].any()
    x[2, bp.COL["ends_sentence"]] = 1.0
    # the decision uses it only when the model's parameters ask for it
    scores = np.where(keep, 3.0, -3.0)
    params = {"region": 0.5, "inside": 0.0, "outside": 0.0, "edge": 99.0}
    assert list(bp.decide(scores, params, None, x)) == list(keep)
    assert bp.decide(scores, {**params, "gap": 3.0}, None, x)[3:6].all()


# ----------------------------------------------------------------------------- the vectorised page pass
# Each fast path against a plain per-line reading of the same rule (what the code did before issue 11).


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_tree_fast_path_equals_the_level_walk(depth):
    rng = np.random.default_rng(depth)
    t, inner = 30, 2 ** depth - 1
    feature = rng.integers(0, 6, (t, inner))
    threshold = rng.integers(0, 4, (t, inner)) / 3
    threshold[0, 0] = np.inf  # an early leaf exported by the trainer: everything goes left
    leaf = rng.normal(size=(t, 2 ** depth))
    model = bp.TreeModel(feature, threshold, leaf, depth, 0.25)
    x = rng.integers(0, 4, (41, 6)) / 3  # values equal to thresholds: ties go left
    walk = []
    for row in x:
        total = 0.25
        for k in range(t):
            node = 0
            for _ in range(depth):
                node = 2 * node + 1 + int(row[feature[k, node]] > threshold[k, node])
            total += leaf[k, node - inner]
        walk.append(total)
    assert (model.code_table is not None) == (depth <= 3)
    assert np.allclose(model.decision(x), walk, rtol=0, atol=1e-12)
    assert np.allclose(pickle.loads(pickle.dumps(model)).decision(x), walk, rtol=0, atol=1e-12)
    assert model.decision(x[:0]).shape == (0,)


TRICKY_LINES = [
    "Straße_42 naïve café — “quoted” x²+y³ ½ 𝐁𝐨𝐥𝐝 𝟏𝟐 😀 done.",
    "東京都の広告 2019年3月4日 コメント",
    "",
    "   leading and trailing   ",
    "a\u0301b \u200b zero-width, ﬁne ligature, İstanbul",
    "tab\tseparated\x0bvertical \u2028 line sep",
]


def test_tokenise_equals_re_findall_per_line():
    import re

    from transforms.patterns import fold
    from transforms.text.boilerplate import features as F

    folded = fold("\n".join(TRICKY_LINES))
    token_lines = F._tokenise(folded, F._char_tables()["word"]).split("\n")
    assert [t.split() for t in token_lines] == [re.findall(r"\w+", line) for line in folded.split("\n")]


def _reference_phrases(words, line_phrases, cue_phrases):
    """The per-line phrase reading: greedy longest-first cover of whole-line phrases, first cue."""
    longest = max(map(len, [*line_phrases, *cue_phrases]))
    covered, per_concept, i = 0, {}, 0
    while i < len(words):
        for k in range(min(longest, len(words) - i), 0, -1):
            concept = line_phrases.get(tuple(words[i:i + k]))
            if concept is not None:
                covered += k
                per_concept[concept] = per_concept.get(concept, 0) + k
                i += k
                break
        else:
            i += 1
    cue = None
    for i in range(len(words)):
        for k in range(1, min(longest, len(words) - i) + 1):
            if tuple(words[i:i + k]) in cue_phrases:
                cue = cue or cue_phrases[tuple(words[i:i + k])]
                break
        if cue:
            break
    return covered, per_concept, cue


def test_phrase_tables_equal_the_per_line_reading():
    from transforms.text.boilerplate import features as F

    line_phrases = {("share",): "share", ("share", "this"): "share", ("this", "story"): "related",
                    ("read", "more"): "related", ("more",): "navigation", ("a", "b", "c", "d"): "ads"}
    cue_phrases = {("in", "this", "photo"): "captions", ("this",): "legal", ("photo", "by"): "captions",
                   ("b", "c"): "ads"}
    vocab, line_table, cue_table = F.phrase_tables(line_phrases, cue_phrases)
    rng = np.random.default_rng(7)
    pool = ["share", "this", "story", "read", "more", "in", "photo", "by", "a", "b", "c", "d", "x"]
    lines = [list(rng.choice(pool, rng.integers(0, 9))) for _ in range(400)]
    flat = [w for line in lines for w in line]
    nw = np.array([len(line) for line in lines])
    line_ids = np.repeat(np.arange(len(lines)), nw)
    ids = np.array([vocab.get(w, 0) for w in flat], dtype=np.intp)
    fast = F.phrase_matches((line_table, cue_table), flat, ids, line_ids, nw)
    slow = [line_table.matches(flat, ids, line_ids), cue_table.matches(flat, ids, line_ids)]
    for a, b in zip(fast, slow):
        assert all(np.array_equal(u, v) for u, v in zip(a, b))

    class Res:  # the fields _phrase_lines reads
        phrase_vocab = vocab

    Res.line_table, Res.cue_table = line_table, cue_table
    n = len(lines)
    ui_cover, ui_only, concepts = np.zeros(n), np.zeros(n), [None] * n
    cues = F._phrase_lines(flat, ids, line_ids, nw, np.zeros(n, int), Res, ui_cover, ui_only, concepts)
    for i, words in enumerate(lines):
        covered, per_concept, cue = _reference_phrases(words, line_phrases, cue_phrases)
        assert ui_cover[i] == (covered / len(words) if covered else 0.0)
        whole = bool(covered) and covered >= len(words)
        assert ui_only[i] == whole
        assert concepts[i] == (max(sorted(per_concept), key=per_concept.__getitem__) if whole else None)
        assert cues.get(i) == cue


def test_separator_kinds_equal_the_first_regex_match():
    from transforms.text.boilerplate import features as F

    texts = ["May 3 -- Harbour", "a - b: c", "a: b - c", "x | y", "a — b", "no sep-here", "a -- -b",
             "time:10", "end:", "a –  b", " - lead", "a :b", "a-- b", "x  |  y"]
    joined = "\n".join(texts)
    lengths = np.array([len(t) for t in texts])
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    sep_kind = F.line_features(texts, "en", bp.load_resources(use_model=False))[0]["_sep_kind"]
    fast = F.page_shapes(texts, np.ones(len(texts), bool), np.zeros(len(texts)), joined, starts, sep_kind)
    slow = F.page_shapes(texts, np.ones(len(texts), bool), np.zeros(len(texts)), joined, starts)
    assert fast == slow
    assert [s[2] for s in slow][:5] == ["-", "-", ":", "|", "-"]


def _reference_list_structure(texts, short, ui_only, shapes):
    n = len(texts)
    run, colon, i = np.ones(n), np.zeros(n), 0
    while i < n:
        j = i + 1
        if short[i]:
            while (j < n and short[j] and shapes[j] == shapes[i] and not ui_only[j]
                   and not texts[j - 1].rstrip().endswith(":")):
                j += 1
        run[i:j] = j - i
        if j - i >= 3 and i > 0 and texts[i - 1].rstrip().endswith(":") and not ui_only[i]:
            colon[i:j] = 1.0
        i = j
    return np.log1p(run), colon


def test_list_structure_equals_the_line_loop():
    rng = np.random.default_rng(3)
    for _ in range(50):
        n = int(rng.integers(1, 40))
        texts = [rng.choice(["Item", "Item:", "Long line of prose."]) for _ in range(n)]
        short = rng.random(n) < 0.8
        ui = rng.random(n) < 0.1
        shapes = [int(rng.integers(0, 2)) if s else None for s in short]
        fast = bp.list_structure(texts, short, ui, shapes)
        slow = _reference_list_structure(texts, short, ui, shapes)
        assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])


def test_reach_prose_brings_back_a_paragraph_behind_an_ad_slot():
    # kept paragraph | "Advertisement" | paragraph the region missed | share bar | teaser headline | prose
    words = [40, 1, 30, 3, 12, 25]
    sentence = [1, 0, 1, 0, 0, 1]
    x = np.zeros((len(words), len(bp.FEATURE_NAMES)))
    x[:, bp.COL["log_words"]] = np.log1p(words)
    x[:, bp.COL["ends_sentence"]] = sentence
    scores = np.array([3.0, -5.0, -1.0, -6.0, -3.0, -1.2])
    keep = np.array([True, False, False, False, False, False])
    assert bp.reach_prose(keep, scores, x, 2).tolist() == [True, False, True, False, False, False]
    # a teaser headline of 12 words is a gap line only when the gap may hold lines of 12 words
    assert bp.reach_prose(keep, scores, x, 2, 12).tolist() == [True, False, True, False, False, True]
    assert bp.reach_prose(keep, scores, x, 1).tolist() == [True, False, True, False, False, False]
    low = scores.copy()
    low[2] = -2.5  # below the floor: not article prose
    assert not bp.reach_prose(keep, low, x, 2)[2]
    nothing = np.zeros(len(words), bool)
    assert not bp.reach_prose(nothing, scores, x, 2).any()
