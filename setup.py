"""presswash: a Beam pipeline that turns raw scraped news text and HTML into clean article records.

Works with Beam's ``--setup_file ./setup.py``: the sdist holds the three packages
(pipeline, transforms, schemas) and the pattern data under seeds/ (installed as
the package ``presswash_seeds``; the sample inputs are not shipped).
"""

import re
from pathlib import Path

from setuptools import find_packages, setup

# The one version string lives in schemas/version.py (written into every output row).
VERSION = re.search(r'PIPELINE_VERSION = "([^"]+)"', Path(__file__).with_name("schemas").joinpath("version.py").read_text()).group(1)

INSTALL_REQUIRES = [
    "apache-beam>=2.60,<3",
    "trafilatura>=2.3,<2.4",  # transforms/html/metadata.py follows its metadata steps (tests/test_html_speed_equivalence.py)
    "htmldate>=1.11,<1.12",  # transforms/html/dates.py wraps htmldate.extractors._external_date (tested)
    "lxml_html_clean>=0.4",  # trafilatura -> jusText needs it with lxml >= 5.2
    "justext>=3.0",  # stop-word lists for the line classifier
    "langdetect>=1.0.9",
    "pyarrow>=14",  # apache-beam caps the upper bound; let pip resolve it
    "charset-normalizer>=3.0",
    "python-dateutil>=2.8",
    "numpy>=1.24",
    "rensa>=0.5,<0.6",  # MinHash for near-dup dedup: 17x datasketch's speed, same error (docs/corpus.md)
    "fastwarc>=2.0,<3",  # WARC input: 1.6-2.6x warcio's records/s (docs/corpus.md)
]

EXTRAS = {
    # warcio: writes the WARC test fixtures (a writer independent of the FastWARC reader)
    "test": ["pytest>=8", "hypothesis>=6.100", "warcio>=1.7",
             "duckdb>=1.0",  # duckdb: tests/test_readme.py runs the documented read-back commands
             # gcp: the streaming/runner/BigQuery tests (ReadFromPubSub and the emulator client
             # google-cloud-pubsub, the DataflowRunner dry-run translation, the BigQuery schema clients)
             "apache-beam[gcp]>=2.60,<3"],
    "bench": ["psutil>=5.9", "duckdb>=1.0", "scikit-learn>=1.3", "datasketch>=1.6"],  # scikit-learn: training the line classifier only; datasketch: bench/minhash_libs.py
    "gcp": ["apache-beam[gcp]>=2.60,<3"],
}

setup(
    name="presswash",
    version=VERSION,
    description="Raw scraped news text and HTML -> clean article records in Parquet (Apache Beam)",
    long_description=open("README.md", encoding="utf-8").read() if __import__("os").path.exists("README.md") else "",
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["pipeline", "pipeline.*", "transforms", "transforms.*", "schemas", "schemas.*"]) + ["presswash_seeds"],
    package_dir={"presswash_seeds": "seeds"},
    package_data={
        "presswash_seeds": [
            "*.md",
            "phrases/*.txt", "phrases/*.md",  # one file per concept, shared by the stages
            "captions/*.txt",
            "credits/*.txt",
            "comments/*.txt",  # tests/test_template.py checks the sdist holds every seeds/ data file
            "photo_captions/*.txt",
            "boilerplate/*.txt", "boilerplate/*.json", "boilerplate/*.md",
        ],
    },
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS,
    entry_points={"console_scripts": ["presswash=pipeline.main:main"]},
)
