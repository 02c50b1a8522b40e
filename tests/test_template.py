"""Cloud packaging: the Flex Template (Dockerfile, metadata.json), the Airflow DAG, the sdist for workers."""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
METADATA = DEPLOY / "flex-template" / "metadata.json"
DOCKERFILE = DEPLOY / "flex-template" / "Dockerfile"
DAG = DEPLOY / "airflow" / "presswash_daily.py"


def _option_actions() -> dict[str, argparse.Action]:
    from pipeline.options import PresswashOptions

    parser = argparse.ArgumentParser()
    PresswashOptions._add_argparse_args(parser)  # noqa: SLF001
    return {a.dest: a for a in parser._actions if a.option_strings and a.dest != "help"}  # noqa: SLF001


def _metadata() -> dict:
    return json.loads(METADATA.read_text(encoding="utf-8"))


def test_metadata_is_generated_from_the_current_options():
    result = subprocess.run([sys.executable, str(DEPLOY / "make_metadata.py"), "--check"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_every_template_parameter_is_a_real_option_with_help():
    actions = _option_actions()
    for param in _metadata()["parameters"]:
        assert param["name"] in actions, f"{param['name']} is no presswash option"
        assert param["helpText"].strip() and param["label"].strip()


def test_no_option_is_missing_from_the_template():
    from deploy.make_metadata import LEFT_OUT, REQUIRED

    names = {p["name"] for p in _metadata()["parameters"]}
    for dest, action in _option_actions().items():
        if dest in LEFT_OUT or action.nargs == 0:  # flags cannot take the launcher's --name=value
            continue
        assert dest in names, f"--{dest} is missing from metadata.json (run python deploy/make_metadata.py)"
    required = {p["name"] for p in _metadata()["parameters"] if not p["isOptional"]}
    assert required == set(REQUIRED) == {"output"}
    for name in ("input", "input_subscription", "output", "bigquery_table", "window_seconds", "dedup_ttl_seconds"):
        assert name in names


@pytest.mark.parametrize("name, good, bad", [
    ("output", ["gs://b/clean/2026-01-01/"], ["output", "/tmp/x"]),
    ("input_subscription", ["projects/p/subscriptions/s"], ["s", "projects/p/topics/t"]),
    ("input_topic", ["projects/p/topics/t"], ["projects/p/subscriptions/s"]),
    ("bigquery_table", ["my-project-123:news.articles"], ["bigquery://p/d/t", "news.articles"]),
    ("window_seconds", ["60", "5"], ["1m", ""]),
    ("dedup_ttl_seconds", ["604800"], ["7d"]),
    ("input_format", ["auto", "html"], ["pdf"]),
])
def test_parameter_regexes(name, good, bad):
    param = next(p for p in _metadata()["parameters"] if p["name"] == name)
    (regex,) = param["regexes"]
    for value in good:
        assert re.fullmatch(regex, value), (name, value)
    for value in bad:
        assert not re.fullmatch(regex, value), (name, value)


def test_int_option_defaults_pass_their_regex():
    actions = _option_actions()
    for param in _metadata()["parameters"]:
        default = actions[param["name"]].default
        if param.get("regexes") and isinstance(default, (int, float, str)) and param["name"] not in ("output",):
            assert re.fullmatch(param["regexes"][0], str(default)), param["name"]


def test_template_parameters_pass_the_command_line_check():
    """What the launcher passes (--name=value for every parameter) is a valid presswash command line."""
    from pipeline.cli import check_args

    argv = ["--input=gs://b/raw/2026-01-01/**", "--output=gs://b/clean/2026-01-01/",
            "--bigquery_table=my-project-123:news.articles", "--window_seconds=60", "--runner=DataflowRunner",
            "--project=my-project-123", "--region=us-central1"]
    assert check_args(argv) == argv


def _setup_beam_specifier() -> str:
    text = (ROOT / "setup.py").read_text(encoding="utf-8")
    return re.search(r'"apache-beam(?:\[[^\]]*\])?([<>=!~][^"]*)"', text).group(1)


def test_dockerfile_pins_the_tested_beam_version():
    import apache_beam
    from packaging.specifiers import SpecifierSet

    text = DOCKERFILE.read_text(encoding="utf-8")
    pinned = re.search(r"^ARG BEAM_VERSION=(\S+)$", text, re.M).group(1)
    assert pinned == apache_beam.__version__, "the image must run the Beam the tests ran with"
    assert pinned in SpecifierSet(_setup_beam_specifier())
    assert "FROM apache/beam_python${PYTHON_VERSION}_sdk:${BEAM_VERSION}" in text
    assert '"apache-beam[gcp]==${BEAM_VERSION}"' in text  # pip must not move Beam away from the SDK image's
    python = re.search(r"^ARG PYTHON_VERSION=(\S+)$", text, re.M).group(1)
    assert re.search(r"^ARG PY_TAG=(\S+)$", text, re.M).group(1) == python.replace(".", "")
    for package in ("pipeline", "transforms", "schemas", "seeds"):
        assert f"COPY {package} ./{package}" in text
    assert "FLEX_TEMPLATE_PYTHON_PY_FILE=/template/pipeline/__main__.py" in text
    assert (ROOT / "pipeline" / "__main__.py").exists()


def _dag_tree() -> ast.Module:
    return ast.parse(DAG.read_text(encoding="utf-8"), filename=str(DAG))


def test_airflow_dag_parses_and_uses_real_option_names():
    tree = _dag_tree()  # a syntax error fails here
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert "DataflowStartFlexTemplateOperator" in names
    parameters = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                      and any(isinstance(t, ast.Name) and t.id == "PARAMETERS" for t in node.targets))
    keys = {k.value for k in parameters.keys}
    extra = {node.slice.value for node in ast.walk(tree) if isinstance(node, ast.Subscript)
             and isinstance(node.value, ast.Name) and node.value.id == "PARAMETERS"
             and isinstance(node.slice, ast.Constant)}
    actions = _option_actions()
    for key in keys | extra:
        assert key in actions, f"the DAG passes {key!r}, which is no presswash option"
    assert {"input", "output"} <= keys
    source = DAG.read_text(encoding="utf-8")
    assert 'schedule="@daily"' in source and "{{ ds }}" in source  # the data interval that ended: yesterday


def test_airflow_dag_loads_in_a_dagbag_when_airflow_is_installed():
    pytest.importorskip("airflow.providers.google", reason="apache-airflow with the Google provider is not "
                        "installed (too large for CI; the DAG is checked with ast above)")
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(DAG), include_examples=False)
    assert not bag.import_errors
    assert "presswash_daily" in bag.dags


def test_sdist_holds_every_seed_data_file(tmp_path):
    """Workers get presswash through --setup_file (an sdist) or the template image: the data must be in it."""
    subprocess.run([sys.executable, "setup.py", "-q", "sdist", "-d", str(tmp_path)], cwd=ROOT, check=True,
                   capture_output=True)
    (archive,) = tmp_path.glob("presswash-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = {"/".join(n.split("/")[1:]) for n in tar.getnames()}
    seeds = ROOT / "seeds"
    wanted = [p.relative_to(ROOT).as_posix() for p in seeds.rglob("*")
              if p.is_file() and "samples" not in p.relative_to(seeds).parts and "__pycache__" not in p.parts
              and p.suffix in (".txt", ".json", ".md")]
    assert wanted
    missing = sorted(set(wanted) - names)
    assert not missing, f"not in the sdist (add them to package_data in setup.py): {missing}"
    for package in ("pipeline/streaming.py", "transforms/beam/streaming.py", "schemas/bigquery.py"):
        assert package in names
