#!/usr/bin/env bash
# Cloud Scheduler -> Flex Template: launch presswash every day at 03:00 UTC over the previous day's prefix,
# without Airflow.  Cloud Scheduler cannot compute "yesterday" in the request body, so the job reads the
# rolling prefix gs://BUCKET/raw/latest/** (the scrapers write the day's files there; alternatively run this
# script from cron with the date filled in).  Needs a service account allowed to launch Dataflow jobs.
set -euo pipefail
PROJECT=${PROJECT:?set PROJECT}
REGION=${REGION:-us-central1}
TEMPLATE=${TEMPLATE:-gs://$PROJECT-presswash/templates/presswash.json}
SA=${SA:-presswash-launcher@$PROJECT.iam.gserviceaccount.com}
RAW=${RAW:-gs://$PROJECT-presswash/raw/latest/**}
OUT=${OUT:-gs://$PROJECT-presswash/clean/latest/}

gcloud scheduler jobs create http presswash-daily \
  --project "$PROJECT" --location "$REGION" --schedule "0 3 * * *" --time-zone "Etc/UTC" \
  --uri "https://dataflow.googleapis.com/v1b3/projects/$PROJECT/locations/$REGION/flexTemplates:launch" \
  --http-method POST --oauth-service-account-email "$SA" \
  --message-body "{\"launchParameter\": {\"jobName\": \"presswash-scheduled\", \"containerSpecGcsPath\": \"$TEMPLATE\",
    \"parameters\": {\"input\": \"$RAW\", \"output\": \"$OUT\"}}}"
