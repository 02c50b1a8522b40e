"""Airflow DAG: the presswash batch job once a day over the previous day's raw prefix, as a Flex Template.

Each run takes the data interval that just ended (``{{ ds }}``, the previous day
for a daily schedule) and launches the Flex Template built from
deploy/flex-template (see docs/cloud.md) with::

    input  = gs://RAW_BUCKET/raw/{{ ds }}/**
    output = gs://CLEAN_BUCKET/clean/{{ ds }}/
    bigquery_table = PROJECT:news.articles              (optional, set PRESSWASH_BQ_TABLE)

Configure with Airflow variables (or edit the defaults): ``presswash_project``,
``presswash_region``, ``presswash_template`` (gs:// path of the template spec),
``presswash_raw``, ``presswash_clean``, ``presswash_bigquery_table``.  Needs
``apache-airflow-providers-google``.  The parameter names are the pipeline's
own option names (tests/test_template.py checks them).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.providers.google.cloud.operators.dataflow import DataflowStartFlexTemplateOperator

PROJECT = Variable.get("presswash_project", default_var="my-project")
REGION = Variable.get("presswash_region", default_var="us-central1")
TEMPLATE = Variable.get("presswash_template", default_var="gs://my-bucket/templates/presswash.json")
RAW = Variable.get("presswash_raw", default_var="gs://my-bucket/raw")
CLEAN = Variable.get("presswash_clean", default_var="gs://my-bucket/clean")
BIGQUERY_TABLE = Variable.get("presswash_bigquery_table", default_var="")

# Template parameters: presswash's own option names (deploy/flex-template/metadata.json).
PARAMETERS = {
    "input": RAW + "/{{ ds }}/**",
    "output": CLEAN + "/{{ ds }}/",
    "input_format": "auto",
}
if BIGQUERY_TABLE:
    PARAMETERS["bigquery_table"] = BIGQUERY_TABLE

with DAG(
    dag_id="presswash_daily",
    description="presswash batch over the previous day's raw prefix (Dataflow Flex Template)",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
    tags=["presswash"],
) as dag:
    DataflowStartFlexTemplateOperator(
        task_id="clean_previous_day",
        project_id=PROJECT,
        location=REGION,
        body={
            "launchParameter": {
                "jobName": "presswash-{{ ds_nodash }}",
                "containerSpecGcsPath": TEMPLATE,
                "parameters": PARAMETERS,
                "environment": {"maxWorkers": 10},
            }
        },
        wait_until_finished=True,
    )
