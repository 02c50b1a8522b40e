"""Stage 6, pure part: deterministic language identification with langdetect.

A :class:`LanguageDetector` owns its own ``DetectorFactory`` (seed 0), so no
process-global state is touched; build it once per worker (``DoFn.setup``).
Detection runs once per document on a bounded sample: the longest segments,
which are article text far more often than navigation is.
"""

from __future__ import annotations

from transforms.document import Counter, Doc, no_count

SAMPLE_CHARS = 1500
MIN_SAMPLE_LETTERS = 20
UNDETERMINED = "und"
# langdetect codes that are not ISO 639-1.
_ISO_639_1 = {"zh-cn": "zh", "zh-tw": "zh"}


class LanguageDetector:
    """langdetect with its own seeded factory; profiles are loaded once."""

    def __init__(self, seed: int = 0) -> None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        self._factory = DetectorFactory()
        self._factory.load_profile(PROFILES_DIRECTORY)
        self._factory.seed = seed

    def detect(self, text: str) -> tuple[str, float]:
        """ISO 639-1 code and probability, or ('und', 0.0)."""
        from langdetect.lang_detect_exception import LangDetectException

        if sum(ch.isalpha() for ch in text) < MIN_SAMPLE_LETTERS:
            return UNDETERMINED, 0.0
        detector = self._factory.create()
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return UNDETERMINED, 0.0
        return _ISO_639_1.get(best.lang, best.lang), round(float(best.prob), 4)


def language_sample(texts: list[str], limit: int = SAMPLE_CHARS) -> str:
    """The longest texts (ties by position) up to ``limit`` characters, in input order."""
    order = sorted(range(len(texts)), key=lambda i: (-len(texts[i]), i))
    chosen, total = [], 0
    for i in order:
        if total >= limit:
            break
        chosen.append(i)
        total += len(texts[i]) + 1
    return "\n".join(texts[i] for i in sorted(chosen))[:limit]


def detect_language(doc: Doc, detector: LanguageDetector, count: Counter = no_count) -> Doc:
    """Set ``language`` and ``language_score`` from a sample of the body."""
    texts = [s.text for s in doc.segments] or ([doc.title] if doc.title else [])
    language, score = detector.detect(language_sample(texts))
    return doc.replace(language=language, language_score=score)
